import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { decodeCursor, encodeCursor } from '../../platform/http/keyset-cursor';
import { DataSource } from 'typeorm';
import type { IncidentStatus, Severity } from '../domain';
import { IncidentView, toIncidentView } from '../incident-views';
import { INCIDENT_COLUMNS, IncidentRow, stateFromRows } from '../persistence/incident-rows';
import { isUuid } from '../../platform/http/uuid';
import { IncidentNotFound } from '../incident-not-found';

export class GetIncident extends Query<IncidentView> {
  constructor(readonly incidentId: string) {
    super();
  }
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  severity?: Severity[];
  service?: string;
  limit: number;
  cursor?: string;
}

export class ListIncidents extends Query<{ items: IncidentView[]; nextCursor: string | null }> {
  constructor(readonly filter: IncidentFilter) {
    super();
  }
}

function viewOf(row: IncidentRow): IncidentView {
  const state = stateFromRows(row, []);
  return toIncidentView({ id: row.id, ...state, roles: { ...state.roles } });
}

@QueryHandler(GetIncident)
export class GetIncidentHandler implements IQueryHandler<GetIncident> {
  constructor(private readonly db: DataSource) {}

  async execute({ incidentId }: GetIncident): Promise<IncidentView> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const rows = (await this.db.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [
      incidentId,
    ])) as IncidentRow[];
    if (!rows[0]) throw new IncidentNotFound(incidentId);
    return viewOf(rows[0]);
  }
}

@QueryHandler(ListIncidents)
export class ListIncidentsHandler implements IQueryHandler<ListIncidents> {
  constructor(private readonly db: DataSource) {}

  async execute({ filter }: ListIncidents) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      params.push(filter.status);
      where.push(`status = ANY($${params.length})`);
    }
    if (filter.severity?.length) {
      params.push(filter.severity);
      where.push(`severity = ANY($${params.length})`);
    }
    if (filter.service) {
      params.push(filter.service);
      where.push(`service = $${params.length}`);
    }
    if (filter.cursor) {
      const { createdAt, id } = decodeCursor(filter.cursor);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows = (await this.db.query(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as IncidentRow[];
    const items = rows.slice(0, filter.limit).map(viewOf);
    const nextCursor = rows.length > filter.limit ? encodeCursor(items[items.length - 1]) : null;
    return { items, nextCursor };
  }
}

export interface AttachedAlertView {
  alertId: string;
  source: string;
  identity: string;
  summary: string | null;
  description: string | null;
  severity: string;
  status: 'firing' | 'resolved';
  service: string | null;
  runbookUrl: string | null;
  generatorUrl: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  links: unknown[];
  startsAt: string;
  endsAt: string | null;
  attachedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

export interface IncidentAlertsMeta {
  /** Alerts of the group Alertmanager left out of its latest notification (max_alerts). */
  truncatedAlerts: number;
}

export class GetIncidentAlerts extends Query<{ items: AttachedAlertView[]; meta?: IncidentAlertsMeta }> {
  constructor(readonly incidentId: string) {
    super();
  }
}

interface AlertRow {
  id: string;
  source: string;
  identity: string;
  summary: string;
  description: string | null;
  severity: string;
  status: 'firing' | 'resolved';
  service: string | null;
  runbook_url: string | null;
  generator_url: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  links: unknown[];
  starts_at: Date;
  ends_at: Date | null;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  truncated_alerts: number | null;
}

/**
 * The alerts attached to an incident, from the alerts table (labels, annotations, runbook…),
 * in the order they were attached. `meta.truncatedAlerts` is present when Alertmanager's latest
 * notification of the incident's alerts left some out.
 */
@QueryHandler(GetIncidentAlerts)
export class GetIncidentAlertsHandler implements IQueryHandler<GetIncidentAlerts> {
  constructor(private readonly db: DataSource) {}

  async execute({ incidentId }: GetIncidentAlerts) {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const [exists] = (await this.db.query(`SELECT 1 FROM incidents WHERE id = $1`, [incidentId])) as unknown[];
    if (!exists) throw new IncidentNotFound(incidentId);
    const rows = (await this.db.query(
      `SELECT id, source, identity, summary, description, severity, status, service, runbook_url, generator_url,
         labels, annotations, links, starts_at, ends_at, first_seen_at, last_seen_at, resolved_at,
         CASE WHEN last_seen_at = max(last_seen_at) OVER () THEN (delivery->>'truncatedAlerts')::int END AS truncated_alerts
       FROM alerts WHERE incident_id = $1 ORDER BY first_seen_at, starts_at, identity, id`,
      [incidentId],
    )) as AlertRow[];
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const items: AttachedAlertView[] = rows.map((row) => ({
      alertId: row.id,
      source: row.source,
      identity: row.identity,
      summary: row.summary,
      description: row.description,
      severity: row.severity,
      status: row.status,
      service: row.service,
      runbookUrl: row.runbook_url,
      generatorUrl: row.generator_url,
      labels: row.labels,
      annotations: row.annotations,
      links: row.links,
      startsAt: row.starts_at.toISOString(),
      endsAt: iso(row.ends_at),
      attachedAt: row.first_seen_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
      resolvedAt: iso(row.resolved_at),
    }));
    const truncatedAlerts = Math.max(0, ...rows.map((r) => r.truncated_alerts ?? 0));
    return truncatedAlerts > 0 ? { items, meta: { truncatedAlerts } } : { items };
  }
}
