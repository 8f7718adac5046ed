import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListIncidents, Responder, ResponderDirectory } from '../incidents';
import { ChatopsStore } from './persistence/chatops.store';

/** Incidents listed per page when a number is not in chatops' own table yet. */
const SCAN_PAGE = 200;
const SCAN_PAGES = 10;

/**
 * Who a Slack user is, and which incident a `#<number>` or a channel means. Chatops keeps each
 * incident's number and channel from the event stream; an incident it has not seen yet (the
 * consumer is a moment behind a fresh declaration) is found through the incidents query.
 */
@Injectable()
export class ChatLookup {
  constructor(
    private readonly directory: ResponderDirectory,
    private readonly store: ChatopsStore,
    private readonly queries: QueryBus,
  ) {}

  /** The responder whose `slackUserId` this is. */
  async responderOf(slackUserId: string): Promise<Responder | undefined> {
    // The directory has no lookup by Slack id yet; it is small (people, not events).
    return (await this.directory.list()).find((r) => r.slackUserId === slackUserId);
  }

  async responderByHandle(handle: string): Promise<Responder | undefined> {
    return (await this.directory.find(handle)) ?? undefined;
  }

  async incidentIdByNumber(number: number): Promise<string | undefined> {
    const known = await this.store.byNumber(number);
    if (known) return known.incidentId;
    let cursor: string | undefined;
    for (let page = 0; page < SCAN_PAGES; page++) {
      const { items, nextCursor } = await this.queries.execute(new ListIncidents({ limit: SCAN_PAGE, cursor }));
      const found = items.find((i) => i.number === number);
      if (found) return found.id;
      // Newest first: once a page ends below the number, older pages cannot hold it.
      if (!nextCursor || items.every((i) => i.number < number)) return undefined;
      cursor = nextCursor;
    }
    return undefined;
  }

  async incidentIdByChannel(channelId: string): Promise<string | undefined> {
    return (await this.store.byChannel(channelId))?.incidentId;
  }
}
