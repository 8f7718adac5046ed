import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetIncidentByNumber, IncidentNotFound, Responder, ResponderDirectory } from '../incidents';
import { ChatopsStore } from './persistence/chatops.store';

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
    return (await this.directory.findBySlackUserId(slackUserId)) ?? undefined;
  }

  async responderByHandle(handle: string): Promise<Responder | undefined> {
    return (await this.directory.find(handle)) ?? undefined;
  }

  async incidentIdByNumber(number: number): Promise<string | undefined> {
    const known = await this.store.byNumber(number);
    if (known) return known.incidentId;
    try {
      return (await this.queries.execute(new GetIncidentByNumber(number))).id;
    } catch (error) {
      if (error instanceof IncidentNotFound) return undefined;
      throw error;
    }
  }

  async incidentIdByChannel(channelId: string): Promise<string | undefined> {
    return (await this.store.byChannel(channelId))?.incidentId;
  }
}
