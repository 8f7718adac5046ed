import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AfterAnswer } from './after-answer';
import { ChatLookup } from './chat-lookup';
import { ChatJobWorker } from './chat-job.worker';
import { ChatopsStore } from './persistence/chatops.store';
import { SlackWeb } from './slack/slack-web';

/** The emoji that pins a message to the incident's timeline. */
export const PIN_REACTION = 'pushpin';

/**
 * Events API callbacks. The event id is recorded and the work it asks for is planned as a
 * durable job in one transaction, so a retried delivery changes nothing twice and a crash
 * after the answer loses nothing; the Slack calls happen in the job, after the answer.
 */
@Injectable()
export class SlackEventHandler {
  constructor(
    private readonly db: DataSource,
    private readonly store: ChatopsStore,
    private readonly lookup: ChatLookup,
    private readonly worker: ChatJobWorker,
    private readonly slack: SlackWeb,
    private readonly after: AfterAnswer,
  ) {}

  /** Answers false when this event id was applied before (a retry). */
  async handle(envelope: Record<string, any>): Promise<boolean> {
    const eventId = typeof envelope.event_id === 'string' ? envelope.event_id : undefined;
    const event = envelope.event && typeof envelope.event === 'object' ? (envelope.event as Record<string, any>) : undefined;
    if (!eventId || !event) return true;
    const pin = await this.pinOf(event);
    const planned = await this.db.transaction(async (tx) => {
      if (!(await this.store.claimRequest('event', eventId, tx))) return undefined;
      return pin ? this.store.insertJobs([pin], tx) : 0;
    });
    if (planned === undefined) return false;
    if (planned > 0) this.worker.wake();
    return true;
  }

  private async pinOf(event: Record<string, any>) {
    if (event.type !== 'reaction_added' || event.reaction !== PIN_REACTION) return undefined;
    const item = event.item;
    if (item?.type !== 'message' || typeof item.channel !== 'string' || typeof item.ts !== 'string' || typeof event.user !== 'string') return undefined;
    const incident = await this.store.byChannel(item.channel);
    if (!incident) return undefined;
    const responder = await this.lookup.responderOf(event.user);
    if (!responder) {
      const user = event.user as string;
      this.after.run('pin refusal', () =>
        this.slack.postEphemeral(item.channel, user, `Sitrep does not know your Slack account (<@${user}>), so nothing was pinned. Ask an admin to link it to your responder.`),
      );
      return undefined;
    }
    return {
      incidentId: incident.incidentId,
      kind: 'pin' as const,
      // Once per message and reacting person, however often they re-add the reaction.
      key: `${item.channel}:${item.ts}:${event.user}`,
      payload: { channelId: item.channel, ts: item.ts, handle: responder.handle, slackUserId: event.user },
    };
  }
}
