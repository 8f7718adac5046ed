import type { EventFacts, JobPayload } from '../notification-planner';

/** What every message says about the incident (its current state when the message is sent). */
export interface IncidentFactsView {
  id: string;
  number: number;
  title: string;
  summary: string | null;
  severity: string;
  status: string;
  service: string | null;
  roles: { commander: string | null; deputy: string | null };
  version: number;
}

export interface MessageInput {
  incident: IncidentFactsView;
  /** `${PUBLIC_URL}/incidents/<id>` */
  link: string;
  payload: JobPayload;
  ackTimeoutSeconds: number;
}

export function incidentLink(publicUrl: string, incidentId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/incidents/${encodeURIComponent(incidentId)}`;
}

/** Cuts `text` to at most `max` characters (code points kept whole), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const s = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

function withNote(line: string, note: unknown): string {
  return typeof note === 'string' && note.trim() ? `${line}: ${truncate(note.trim(), 300)}` : line;
}

/** One line, in plain text, saying what an event did. */
export function describeEvent(event: EventFacts, ackTimeoutSeconds: number): string {
  const d = event.data;
  const by = event.actor === 'system' ? 'automatically' : `by ${event.actor}`;
  switch (event.type) {
    case 'incident.declared':
      return `Declared ${s(d.severity)} ${by}`;
    case 'incident.severity_changed':
      return `Severity ${s(d.from)} → ${s(d.to)} ${by}${d.reason ? ` (${truncate(s(d.reason), 200)})` : ''}`;
    case 'incident.acknowledged':
      return withNote(`Acknowledged ${by}`, d.note);
    case 'incident.mitigated':
      return withNote(`Mitigated ${by}`, d.note);
    case 'incident.resolved':
      return withNote(d.automatic ? 'Resolved automatically (every alert resolved)' : `Resolved ${by}`, d.note);
    case 'incident.reopened':
      return withNote(`Reopened ${by}${d.reason ? ` (${truncate(s(d.reason), 200)})` : ''}`, d.note);
    case 'incident.role_assigned':
      return `${s(d.assignee)} is now ${s(d.role)} (${by})`;
    case 'incident.role_unassigned':
      return `${s(d.previous)} is no longer ${s(d.role)} (${by})`;
    case 'incident.commander_handoff':
      return `Command handed from ${s(d.from)} to ${s(d.to)}`;
    case 'incident.updated': {
      const parts: string[] = [];
      const title = d.title as { to?: unknown } | undefined;
      if (title) parts.push(`title is now “${truncate(s(title.to), 200)}”`);
      if (d.summary) parts.push('summary updated');
      return `Details changed ${by}: ${parts.join(', ') || 'updated'}`;
    }
    case 'incident.escalated':
      return `Escalated to ${s(d.target)}: ${s(d.reason) || `not acknowledged within ${ackTimeoutSeconds} s`}`;
    case 'note.added':
      return `Note ${by}: ${truncate(s(d.text), 300)}`;
    case 'action_item.added':
      return `Action item added ${by}: ${truncate(s(d.title), 200)}`;
    case 'action_item.updated':
      return `Action item updated ${by}`;
    case 'alert.attached':
      return `Alert attached: ${truncate(s(d.summary) || s(d.identity), 200)} (${s(d.severity)})`;
    case 'alert.resolved':
      return 'An alert resolved';
    case 'change.correlated':
      return `Recent change: ${truncate(s(d.summary), 200)}`;
    case 'postmortem.updated':
      return `Postmortem edited ${by}`;
    default:
      return `${event.type} ${by}`;
  }
}

/** The headline of a message addressed to a list or a person. */
export function headline(input: MessageInput): string {
  const { incident, payload } = input;
  const first = payload.events[0];
  const tag = `[${incident.severity}] Incident #${incident.number}`;
  switch (first?.type) {
    case 'incident.declared':
      return `${tag} declared: ${incident.title}`;
    case 'incident.severity_changed':
      return payload.audience === 'channel' || payload.audience === 'list'
        ? `${tag} is now ${incident.severity}: ${incident.title}`
        : `${tag} changed: ${incident.title}`;
    case 'incident.resolved':
      return `${tag} resolved: ${incident.title}`;
    case 'incident.role_assigned':
    case 'incident.commander_handoff':
      return `You are now ${payload.role ?? 'a responder'} of incident #${incident.number}: ${incident.title}`;
    case 'incident.escalated':
      return payload.audience === 'person'
        ? `Escalated to you: incident #${incident.number} not acknowledged after ${input.ackTimeoutSeconds} s: ${incident.title}`
        : `${tag} not acknowledged after ${input.ackTimeoutSeconds} s: ${incident.title}`;
    default:
      return `${tag} ${first ? describeEvent(first, input.ackTimeoutSeconds) : 'update'}: ${incident.title}`;
  }
}

/** The facts listed in every message, as label/value pairs. */
export function factRows(incident: IncidentFactsView): Array<[string, string]> {
  return [
    ['Severity', incident.severity],
    ['Status', incident.status],
    ['Commander', incident.roles.commander ?? '—'],
    ['Deputy', incident.roles.deputy ?? '—'],
    ['Service', incident.service ?? '—'],
  ];
}
