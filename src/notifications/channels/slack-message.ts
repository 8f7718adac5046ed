import { describeEvent, factRows, headline, IncidentFactsView, MessageInput, truncate } from './message-facts';

/** Block Kit limits (docs.slack.dev: header and section blocks). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  blocks: 50,
  /** The fallback `text` (Slack truncates very long messages; we stay far below). */
  text: 3000,
  /** Change lines in one thread reply; the rest are counted. */
  replyLines: 20,
} as const;

export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Escapes Slack's control characters in `text` and mrkdwn: only & < > (api.slack.com formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then cuts to `max` characters without splitting an entity such as `&amp;`. */
export function escapedWithin(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if ([...escaped].length <= max) return escaped;
  const cut = [...escaped].slice(0, max - 1).join('').replace(/&[a-z]{0,3}$/, '');
  return `${cut}…`;
}

/** A link `<url|label>`: the label is escaped, `|` and `>` cannot end it early. */
function link(url: string, label: string): string {
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${escapeSlack(label).replace(/\|/g, '¦')}>`;
}

function header(text: string): SlackBlock {
  // plain_text is shown literally: no escaping, only the length limit.
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

function section(mrkdwn: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

function factsBlock(incident: IncidentFactsView): SlackBlock {
  return {
    type: 'section',
    fields: factRows(incident)
      .slice(0, SLACK_LIMITS.fields)
      .map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${escapedWithin(value, SLACK_LIMITS.fieldText - label.length - 3)}` })),
  };
}

function linkBlock(input: MessageInput): SlackBlock {
  const elements = [{ type: 'mrkdwn', text: `${link(input.link, `Open incident #${input.incident.number}`)} · ${escapeSlack(input.link)}` }];
  const chat = input.incident.chat;
  if (chat && /^[A-Z0-9]+$/.test(chat.channelId)) elements.push({ type: 'mrkdwn', text: `Incident channel: <#${chat.channelId}>` });
  return { type: 'context', elements };
}

function button(actionId: string, text: string, incidentId: string, extra: Record<string, unknown> = {}): SlackBlock {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value: incidentId, ...extra };
}

/**
 * Acknowledge (while triggered), Resolve and Take command, acting as the clicking responder
 * (chatops handles the clicks, by these action ids); none once the incident is resolved.
 */
export function actionsBlock(incident: Pick<IncidentFactsView, 'id' | 'number' | 'title' | 'status'>): SlackBlock | undefined {
  if (incident.status === 'resolved') return undefined;
  const title = escapedWithin(incident.title, 150);
  const elements = [
    ...(incident.status === 'triggered' ? [button('incident.acknowledge', 'Acknowledge', incident.id, { style: 'primary' })] : []),
    button('incident.resolve', 'Resolve', incident.id, {
      confirm: {
        title: { type: 'plain_text', text: `Resolve #${incident.number}?` },
        text: { type: 'plain_text', text: title || `#${incident.number}` },
        confirm: { type: 'plain_text', text: 'Resolve' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    }),
    button('incident.take_command', 'Take command', incident.id),
  ];
  return { type: 'actions', block_id: 'incident-actions', elements };
}

function fallback(text: string): string {
  return escapedWithin(text, SLACK_LIMITS.text);
}

/** The incident's root message in its channel: kept current with chat.update. */
export function rootMessage(input: MessageInput): SlackMessage {
  const { incident } = input;
  const blocks: SlackBlock[] = [header(`#${incident.number} ${incident.title}`), factsBlock(incident)];
  if (incident.summary) blocks.push(section(escapedWithin(incident.summary, SLACK_LIMITS.sectionText)));
  const actions = actionsBlock(incident);
  if (actions) blocks.push(actions);
  blocks.push(linkBlock(input));
  return {
    text: fallback(`[${incident.severity}] #${incident.number} ${incident.title} — ${incident.status} ${input.link}`),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/** A reply in the incident's thread listing the changes it absorbed (coalesced). */
export function threadReply(input: MessageInput): SlackMessage {
  const { incident, payload } = input;
  const lines = payload.events.map((e) => describeEvent(e));
  const shown = lines.slice(0, SLACK_LIMITS.replyLines);
  const more = lines.length - shown.length;
  let body = shown.map((l) => `• ${escapeSlack(l)}`).join('\n');
  if (more > 0) body += `\n… and ${more} more change${more === 1 ? '' : 's'}`;
  if ([...body].length > SLACK_LIMITS.sectionText) body = `${[...body].slice(0, SLACK_LIMITS.sectionText - 1).join('').replace(/&[a-z]{0,3}$/, '')}…`;
  const status = `*${escapeSlack(incident.severity)}* · *${escapeSlack(incident.status)}*`;
  return {
    text: fallback(`#${incident.number} ${incident.severity} ${incident.status}: ${lines.slice(0, 3).join('; ')}${lines.length > 3 ? ' …' : ''}`),
    blocks: [section(body || 'Updated'), { type: 'context', elements: [{ type: 'mrkdwn', text: `${status} · ${link(input.link, `#${incident.number}`)}` }] }],
  };
}

/** A direct message to a person (assignment, escalation). */
export function directMessage(input: MessageInput): SlackMessage {
  const title = headline(input);
  const first = input.payload.events[0];
  const blocks: SlackBlock[] = [header(`#${input.incident.number} ${input.incident.title}`)];
  blocks.push(section(escapedWithin(title, SLACK_LIMITS.sectionText)));
  if (first && first.type !== 'incident.declared') {
    blocks.push(section(escapedWithin(describeEvent(first), SLACK_LIMITS.sectionText)));
  }
  blocks.push(factsBlock(input.incident), linkBlock(input));
  return { text: fallback(`${title} ${input.link}`), blocks };
}

/** A message job without blocks of its own: the subject in bold over the text, both escaped. */
export function plainMessage(subject: string, text: string): SlackMessage {
  const body = escapedWithin(text, SLACK_LIMITS.sectionText);
  const blocks: SlackBlock[] = [section(`*${escapedWithin(subject, 300)}*`)];
  if (text.trim()) blocks.push(section(body));
  return { text: fallback(text.trim() ? `${subject}: ${text}` : subject), blocks };
}
