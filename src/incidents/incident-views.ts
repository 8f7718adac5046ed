import type { ActionItem, IncidentSnapshot } from './domain';
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
}

export interface TimelineEntry {
  seq: number;
  incidentId: string;
  type: string;
  occurredAt: string;
  actor: string;
  data: Record<string, unknown>;
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
  };
}

export function toTimelineEntry(e: StoredEvent): TimelineEntry {
  return { seq: e.seq, incidentId: e.incidentId, type: e.type, occurredAt: e.occurredAt.toISOString(), actor: e.actor, data: e.data };
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
