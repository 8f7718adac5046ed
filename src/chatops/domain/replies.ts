import type { IncidentView, Role } from '../../incidents';
import type { StatusMove } from './incident-command';

/** What Slack shows: a slash command's answer or a `response_url` post. */
export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  replace_original?: boolean;
}

export const ephemeral = (text: string): SlackReply => ({ response_type: 'ephemeral', text });
export const inChannel = (text: string): SlackReply => ({ response_type: 'in_channel', text });

/** Slack's three control characters; everything else is shown as typed. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ROLE_NAMES: Record<Role, string> = { commander: 'commander', deputy: 'deputy', scribe: 'scribe', communications: 'comms' };
const MOVE_WORDS: Record<StatusMove, string> = { acknowledge: 'acknowledged', mitigate: 'mitigated', resolve: 'resolved' };
const MOVE_EMOJI: Record<StatusMove, string> = { acknowledge: ':eyes:', mitigate: ':adhesive_bandage:', resolve: ':white_check_mark:' };

const who = (slackUserId: string) => `<@${slackUserId}>`;
const ref = (i: Pick<IncidentView, 'number' | 'title'>) => `#${i.number} ${escapeText(i.title)}`;
const link = (url: string, label: string) => `<${url}|${escapeText(label).replace(/\|/g, '¦')}>`;

export function helpText(): string {
  const lines = [
    '*/incident* — run an incident from Slack. Add `#<number>` anywhere to pick an incident; in an incident channel it is that channel’s incident.',
    '• `/incident declare SEV1 <title>` — declare an incident (SEV1 worst … SEV4)',
    '• `/incident ack` · `mitigate` · `resolve` `[note]` — move it along',
    '• `/incident commander @user` · `deputy @user` · `scribe @user` · `comms @user` — give a role',
    '• `/incident note <text>` — add a note to the timeline',
  ];
  lines.push('• `/incident update <text>` — post a status update to stakeholders');
  lines.push('• `/incident status` — where it stands');
  lines.push('• `/incident oncall [schedule]` — who is on call now');
  lines.push('• `/incident help` — this list');
  return lines.join('\n');
}

export function declaredText(incident: IncidentView, slackUserId: string, url: string, channelComing: boolean): string {
  const lines = [`:rotating_light: *${incident.severity}* ${link(url, `#${incident.number} ${incident.title}`)} declared by ${who(slackUserId)}`];
  if (channelComing) lines.push('Creating the incident channel…');
  return lines.join('\n');
}

export function movedText(incident: IncidentView, move: StatusMove, slackUserId: string, note: string | null): string {
  const base = `${MOVE_EMOJI[move]} ${ref(incident)} ${MOVE_WORDS[move]} by ${who(slackUserId)}`;
  return note ? `${base}: ${escapeText(note)}` : base;
}

export function roleText(incident: IncidentView, role: Role, assignee: { slackUserId: string | null; handle: string }, slackUserId: string): string {
  const person = assignee.slackUserId ? who(assignee.slackUserId) : escapeText(assignee.handle);
  return `:busts_in_silhouette: ${person} is now ${ROLE_NAMES[role]} of ${ref(incident)} (set by ${who(slackUserId)})`;
}

export function noteText(incident: IncidentView, slackUserId: string, text: string): string {
  return `:memo: Note on ${ref(incident)} by ${who(slackUserId)}: ${escapeText(text)}`;
}

export function updateText(incident: IncidentView, slackUserId: string, text: string): string {
  return `:loudspeaker: Status update on ${ref(incident)} by ${who(slackUserId)}: ${escapeText(text)}`;
}

export interface OnCallLine {
  schedule: string;
  handle: string | null;
  slackUserId: string | null;
  until: string | null;
}

export function onCallText(lines: OnCallLine[], asked: string | null): string {
  if (lines.length === 0) {
    return asked ? `No schedule is called "${escapeText(asked)}". \`/incident oncall\` lists them all.` : 'There are no on-call schedules yet.';
  }
  return lines
    .map((l) => {
      const person = l.handle === null ? 'nobody' : l.slackUserId ? `<@${l.slackUserId}>` : escapeText(l.handle);
      const until = l.until ? ` until <!date^${Math.floor(Date.parse(l.until) / 1000)}^{date_short_pretty} {time}|${l.until}>` : '';
      return `*${escapeText(l.schedule)}*: ${person}${until}`;
    })
    .join('\n');
}

export function statusText(incident: IncidentView, url: string): string {
  const roles = (Object.keys(ROLE_NAMES) as Role[])
    .map((r) => `${ROLE_NAMES[r]}: ${incident.roles[r] ? escapeText(incident.roles[r]!) : '—'}`)
    .join(' · ');
  const lines = [
    `*${link(url, `#${incident.number} ${incident.title}`)}*`,
    `*${incident.severity}* · *${incident.status}*${incident.service ? ` · ${escapeText(incident.service)}` : ''} · declared ${incident.createdAt}`,
    roles,
    `alerts: ${incident.alerts.firing} firing of ${incident.alerts.total}`,
  ];
  if (incident.chat) lines.push(`channel: <#${incident.chat.channelId}>`);
  return lines.join('\n');
}

export function channelReadyText(number: number, channelId: string): string {
  return `:speech_balloon: #${number} has its channel: <#${channelId}>. Join it for updates.`;
}
