import { describeEvent as describeIncidentEvent, isIncidentEventType, toIncidentEvent } from '../../incidents';
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
  /** The incident's own Slack channel, when it has one. */
  chat?: { channelId: string; channelName: string } | null;
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

/**
 * One line, in plain text, saying what an event did: the shared describer's words (the same
 * as the timeline, the web UI and the postmortem say), with who did it when it was a person.
 */
export function describeEvent(event: EventFacts): string {
  if (!isIncidentEventType(event.type)) return event.type;
  const { text } = describeIncidentEvent(toIncidentEvent(event));
  const line = truncate(text, 400);
  return event.actor === 'system' ? line : `${line} (${event.actor})`;
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
      return `${tag} ${first ? describeEvent(first) : 'update'}: ${incident.title}`;
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
