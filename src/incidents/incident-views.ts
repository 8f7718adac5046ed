import { allowedMoves, isIncidentEventType, toIncidentEvent } from './domain';
import { DescribeMemory, describeEvent } from './events/describe-event';
import type { EntryKind } from './events/describe-event';
import type { ActionItem, IncidentSnapshot, LifecycleMove } from './domain';
import type { StoredEvent } from './persistence/incident.store';

/** The contract's Incident. */
export interface IncidentView {
  id: string;
  number: number;
  title: string;
  summary: string | null;
  status: string;
  severity: string;
  service: string | null;
  source: string;
  roles: { commander: string | null; deputy: string | null; scribe: string | null; communications: string | null };
  createdAt: string;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  alerts: { total: number; firing: number };
  version: number;
  /** The lifecycle moves allowed now, so clients never re-declare the state machine. */
  allowedTransitions: LifecycleMove[];
  /** The incident's own Slack channel (`SLACK_INCIDENT_CHANNELS=on`), else null. */
  chat: { channelId: string; channelName: string } | null;
  /** When the last stakeholder status update was posted, else null. */
  lastStatusUpdateAt: string | null;
}

export interface TimelineEntry {
  seq: number;
  incidentId: string;
  type: string;
  occurredAt: string;
  actor: string;
  data: Record<string, unknown>;
  /** The entry in words, from the one shared describer: clients show it as it is. */
  summary: string;
  kind: EntryKind;
}

export interface ActionItemView {
  id: string;
  incidentId: string;
  title: string;
  owner: string | null;
  dueDate: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toIncidentView(s: IncidentSnapshot): IncidentView {
  return {
    id: s.id,
    number: s.number,
    title: s.title,
    summary: s.summary,
    status: s.status,
    severity: s.severity,
    service: s.service,
    source: s.source,
    roles: { ...s.roles },
    createdAt: s.createdAt.toISOString(),
    acknowledgedAt: iso(s.acknowledgedAt),
    mitigatedAt: iso(s.mitigatedAt),
    resolvedAt: iso(s.resolvedAt),
    alerts: { ...s.alerts },
    version: s.version,
    allowedTransitions: allowedMoves(s.status),
    chat: s.chat ? { ...s.chat } : null,
    lastStatusUpdateAt: iso(s.lastStatusUpdateAt),
  };
}

/**
 * A timeline entry from a stored row or a topic message. An entry described on its own names
 * an earlier alert or action item by id where the describer has no memory of it.
 */
export function toTimelineEntry(
  e: Pick<StoredEvent, 'seq' | 'incidentId' | 'type' | 'actor'> & { occurredAt: Date | string; data: object | null },
  memory?: DescribeMemory,
): TimelineEntry {
  const occurredAt = e.occurredAt instanceof Date ? e.occurredAt.toISOString() : new Date(e.occurredAt).toISOString();
  const data = (e.data ?? {}) as Record<string, unknown>;
  const { kind, text } = isIncidentEventType(e.type)
    ? describeEvent(toIncidentEvent({ type: e.type, actor: e.actor, occurredAt, data }), memory)
    : { kind: 'update' as const, text: e.type };
  return { seq: e.seq, incidentId: e.incidentId, type: e.type, occurredAt, actor: e.actor, data, summary: text, kind };
}

export function toActionItemView(incidentId: string, item: ActionItem): ActionItemView {
  return {
    id: item.id,
    incidentId,
    title: item.title,
    owner: item.owner,
    dueDate: item.dueDate,
    status: item.status,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}
