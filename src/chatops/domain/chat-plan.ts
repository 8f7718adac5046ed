import type { Severity } from '../../incidents';
import { asSeverity, atOrAbove } from './severity-order';

/** What chatops remembers of an incident, folded from its events. */
export interface ChatFacts {
  incidentId: string;
  number: number;
  title: string;
  severity: Severity;
  commander: string | null;
  deputy: string | null;
  lastSeq: number;
  /** A channel was (or is being) made for it: once true, it stays. */
  channelWanted: boolean;
}

export type ChatJob = { kind: 'create_channel' } | { kind: 'invite'; handle: string };

export interface ChatSettings {
  channelsOn: boolean;
  minSeverity: Severity;
}

export interface ChatEvent {
  incidentId: string;
  seq: number;
  type: string;
  /** Who recorded it: a responder handle, a token name, `system`, `automation:<name>`. */
  actor: string;
  data: Record<string, unknown>;
}

export interface ChatPlan {
  facts: ChatFacts;
  jobs: ChatJob[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function invitesOf(facts: ChatFacts): ChatJob[] {
  return [facts.commander, facts.deputy].filter((h): h is string => h !== null).map((handle) => ({ kind: 'invite', handle }));
}

/**
 * One event's effect on the incident's chat: a channel when an incident at or above the
 * notification threshold is declared (or raised to it later) with its declarer invited, and an
 * invite each time the commander or deputy changes while it has one. `undefined` facts before anything but
 * `incident.declared` means an incident we know nothing of: the caller reads it first.
 * An event at or below `lastSeq` is a redelivery: no jobs, facts unchanged.
 */
export function planChatEvent(event: ChatEvent, before: ChatFacts | undefined, settings: ChatSettings): ChatPlan | undefined {
  if (before && event.seq <= before.lastSeq) return { facts: before, jobs: [] };
  const d = event.data;
  if (event.type === 'incident.declared') {
    if (before) return { facts: { ...before, lastSeq: event.seq }, jobs: [] };
    const severity = asSeverity(d.severity) ?? 'SEV4';
    const wanted = settings.channelsOn && atOrAbove(severity, settings.minSeverity);
    const facts: ChatFacts = {
      incidentId: event.incidentId,
      number: Number(d.number),
      title: str(d.title) ?? '',
      severity,
      commander: null,
      deputy: null,
      lastSeq: event.seq,
      channelWanted: wanted,
    };
    // Whoever declared it is in the room from the start (if the directory knows them on Slack).
    const declarer: ChatJob[] = event.actor && event.actor !== 'system' && !event.actor.includes(':') ? [{ kind: 'invite', handle: event.actor }] : [];
    return { facts, jobs: wanted ? [{ kind: 'create_channel' }, ...declarer] : [] };
  }
  if (!before) return undefined;
  let facts: ChatFacts = { ...before, lastSeq: event.seq };
  const jobs: ChatJob[] = [];
  switch (event.type) {
    case 'incident.updated': {
      const title = (d.title as { to?: unknown } | undefined)?.to;
      if (typeof title === 'string') facts.title = title;
      break;
    }
    case 'incident.severity_changed':
      if (asSeverity(d.to)) {
        facts.severity = asSeverity(d.to)!;
        if (!facts.channelWanted && settings.channelsOn && atOrAbove(facts.severity, settings.minSeverity)) {
          facts.channelWanted = true;
          jobs.push({ kind: 'create_channel' }, ...invitesOf(facts));
        }
      }
      break;
    case 'incident.role_assigned': {
      const assignee = str(d.assignee);
      if ((d.role === 'commander' || d.role === 'deputy') && assignee) {
        facts = { ...facts, [d.role]: assignee };
        if (facts.channelWanted) jobs.push({ kind: 'invite', handle: assignee });
      }
      break;
    }
    case 'incident.role_unassigned':
      if (d.role === 'commander' || d.role === 'deputy') facts = { ...facts, [d.role]: null };
      break;
    case 'incident.commander_handoff': {
      const to = str(d.to);
      facts = { ...facts, commander: to, deputy: null };
      if (to && facts.channelWanted) jobs.push({ kind: 'invite', handle: to });
      break;
    }
  }
  return { facts, jobs };
}
