import type { Responder } from '../incidents';
import type { NotificationJobs } from '../notifications';

/**
 * Every way a responder can be told something: a Slack DM and/or an email, as they have them.
 * With `textAsLastResort`, a responder with neither gets an SMS (when the channel is on): a
 * status-update reminder must reach someone, a digest can wait for an address.
 */
export function contactsOf(
  responder: Responder,
  jobs: NotificationJobs,
  options: { textAsLastResort?: boolean } = {},
): Array<{ channel: string; to: string }> {
  const out: Array<{ channel: string; to: string }> = [];
  if (responder.slackUserId && jobs.canSend('slack')) out.push({ channel: 'slack', to: responder.slackUserId });
  if (responder.email && jobs.canSend('email')) out.push({ channel: 'email', to: responder.email });
  if (out.length === 0 && options.textAsLastResort && responder.phone && jobs.canSend('sms')) out.push({ channel: 'sms', to: responder.phone });
  return out;
}
