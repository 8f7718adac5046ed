import type { Channel, Delivery } from './channel';
import { plainMessage, SlackBlock } from './slack-message';
import type { SlackClient } from './slack.client';

/** User ids (U…, W…): a DM, which chat.postMessage opens by itself. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** Channel ids (C…, G…, D…): only with an id can a retry look for an earlier try's message. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const CHANNEL_NAME = /^#?[a-z0-9][a-z0-9._-]{0,79}$/;

/** Slack: `to` is a responder's Slack user id (a DM) or a channel id or name. */
export class SlackChannel implements Channel {
  readonly name = 'slack';
  readonly disabledReason = 'Slack is not configured (SLACK_BOT_TOKEN unset)';

  constructor(private readonly slack: SlackClient) {}

  get enabled(): boolean {
    return this.slack.enabled;
  }

  checkAddress(to: string): string | undefined {
    if (USER_ID.test(to) || CHANNEL_ID.test(to) || CHANNEL_NAME.test(to)) return undefined;
    return 'must be a Slack user id (U…), channel id (C…) or channel name';
  }

  gate(to: string): string {
    return USER_ID.test(to) ? `slack:dm:${to}` : `slack:${to}`;
  }

  async send(delivery: Delivery): Promise<void> {
    const { to, message, uid } = delivery;
    if (delivery.uncertain) {
      const where = USER_ID.test(to) ? await this.slack.openDm(to) : CHANNEL_ID.test(to) ? to : undefined;
      const since = delivery.createdAt.getTime() / 1000 - 60;
      if (where && (await this.slack.findPosted(where, uid, since))) return;
    }
    const rendered = plainMessage(message.subject, message.text);
    const blocks = (message.blocks as SlackBlock[] | undefined) ?? rendered.blocks;
    await this.slack.post({ channel: to, text: rendered.text, blocks, jobUid: uid, incidentId: delivery.incidentId });
  }

  abort(): void {
    this.slack.abort();
  }
}
