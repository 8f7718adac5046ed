import type { Responder } from '../incidents';
import type { NotificationJobs } from '../notifications';

/** Every way a responder can be told something: a Slack DM and/or an email, as they have them. */
export function contactsOf(responder: Responder, jobs: NotificationJobs): Array<{ channel: string; to: string }> {
  const out: Array<{ channel: string; to: string }> = [];
  if (responder.slackUserId && jobs.canSend('slack')) out.push({ channel: 'slack', to: responder.slackUserId });
  if (responder.email && jobs.canSend('email')) out.push({ channel: 'email', to: responder.email });
  return out;
}
