import type { ActionItem, IncidentEvent, IncidentSnapshot, IncidentState } from '../domain';

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  summary: string | null;
  status: IncidentState['status'];
  severity: IncidentState['severity'];
  service: string | null;
  source: IncidentState['source'];
  group_key: string | null;
  commander: string | null;
  deputy: string | null;
  scribe: string | null;
  communications: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  last_resolved_at: Date | null;
  alerts_total: number;
  alerts_firing: number;
  notes: number;
  version: number;
  updated_at: Date;
  chat_channel_id: string | null;
  chat_channel_name: string | null;
  last_status_update_at: Date | null;
  awaiting_verification: string[] | null;
}

export interface ActionItemRow {
  id: string;
  incident_id: string;
  title: string;
  owner: string | null;
  due_date: string | null;
  status: ActionItem['status'];
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  incident_id: string;
  seq: number;
  type: string;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

export const INCIDENT_COLUMNS = `id, number, title, summary, status, severity, service, source, group_key, commander,
  deputy, scribe, communications, created_at, acknowledged_at, mitigated_at, resolved_at, last_resolved_at,
  alerts_total, alerts_firing, notes, version, updated_at, chat_channel_id, chat_channel_name, last_status_update_at, awaiting_verification`;

export const ACTION_ITEM_COLUMNS = `id, incident_id, title, owner, to_char(due_date, 'YYYY-MM-DD') AS due_date, status, created_at, updated_at`;

export function stateFromRows(row: IncidentRow, items: ActionItemRow[]): IncidentState {
  return {
    number: row.number,
    title: row.title,
    summary: row.summary,
    status: row.status,
    severity: row.severity,
    service: row.service,
    source: row.source,
    groupKey: row.group_key,
    roles: { commander: row.commander, deputy: row.deputy, scribe: row.scribe, communications: row.communications },
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    mitigatedAt: row.mitigated_at,
    resolvedAt: row.resolved_at,
    lastResolvedAt: row.last_resolved_at,
    alerts: { total: row.alerts_total, firing: row.alerts_firing },
    actionItems: new Map(items.map((i) => [i.id, actionItemFromRow(i)])),
    notes: row.notes,
    chat: row.chat_channel_id && row.chat_channel_name ? { channelId: row.chat_channel_id, channelName: row.chat_channel_name } : null,
    lastStatusUpdateAt: row.last_status_update_at,
    awaitingVerification: row.awaiting_verification ?? [],
    version: row.version,
  };
}

export function actionItemFromRow(row: ActionItemRow): ActionItem {
  return {
    id: row.id,
    title: row.title,
    owner: row.owner,
    dueDate: row.due_date,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The incident row's values, in INCIDENT_COLUMNS order. */
export function incidentRowValues(s: IncidentSnapshot, notes: number, updatedAt: Date): unknown[] {
  return [
    s.id,
    s.number,
    s.title,
    s.summary,
    s.status,
    s.severity,
    s.service,
    s.source,
    s.groupKey,
    s.roles.commander,
    s.roles.deputy,
    s.roles.scribe,
    s.roles.communications,
    s.createdAt,
    s.acknowledgedAt,
    s.mitigatedAt,
    s.resolvedAt,
    s.lastResolvedAt,
    s.alerts.total,
    s.alerts.firing,
    notes,
    s.version,
    updatedAt,
    s.chat?.channelId ?? null,
    s.chat?.channelName ?? null,
    s.lastStatusUpdateAt,
    [...s.awaitingVerification],
  ];
}

export function eventFromRow(row: EventRow): IncidentEvent {
  return { type: row.type, actor: row.actor, occurredAt: row.occurred_at, data: row.data } as IncidentEvent;
}
