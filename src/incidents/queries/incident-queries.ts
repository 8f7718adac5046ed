import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AppError } from '../../platform/http/app-error';
import type { IncidentStatus, Severity } from '../domain';
import { IncidentView, toIncidentView } from '../incident-views';
import { INCIDENT_COLUMNS, IncidentRow, stateFromRows } from '../persistence/incident-rows';
import { IncidentNotFound, isUuid } from '../persistence/incident.store';

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
    const rows = (await this.db.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [incidentId])) as IncidentRow[];
    if (!rows[0]) throw new IncidentNotFound(incidentId);
    return viewOf(rows[0]);
  }
}

/** Cursor: the (createdAt, id) of the last item of the previous page, opaque to clients. */
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof parsed.c === 'string' && typeof parsed.i === 'string' && isUuid(parsed.i) && !Number.isNaN(Date.parse(parsed.c))) {
      return { createdAt: parsed.c, id: parsed.i };
    }
  } catch {
    // fall through
  }
  throw new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned', [
    { path: 'cursor', problem: 'not a cursor returned by this API' },
  ]);
}

function encodeCursor(view: IncidentView): string {
  return Buffer.from(JSON.stringify({ c: view.createdAt, i: view.id })).toString('base64url');
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
  severity: string;
  status: 'firing' | 'resolved';
  attachedAt: string;
  resolvedAt: string | null;
}

export class GetIncidentAlerts extends Query<{ items: AttachedAlertView[] }> {
  constructor(readonly incidentId: string) {
    super();
  }
}

/** The alerts attached to an incident, as its timeline records them. */
@QueryHandler(GetIncidentAlerts)
export class GetIncidentAlertsHandler implements IQueryHandler<GetIncidentAlerts> {
  constructor(private readonly db: DataSource) {}

  async execute({ incidentId }: GetIncidentAlerts) {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const [exists] = (await this.db.query(`SELECT 1 FROM incidents WHERE id = $1`, [incidentId])) as unknown[];
    if (!exists) throw new IncidentNotFound(incidentId);
    const rows = (await this.db.query(
      `SELECT type, occurred_at, data FROM incident_events
       WHERE incident_id = $1 AND type IN ('alert.attached', 'alert.resolved') ORDER BY seq`,
      [incidentId],
    )) as Array<{ type: string; occurred_at: Date; data: Record<string, any> }>;
    const alerts = new Map<string, AttachedAlertView>();
    for (const row of rows) {
      const id = String(row.data.alertId);
      if (row.type === 'alert.attached') {
        alerts.set(id, {
          alertId: id,
          source: row.data.source,
          identity: row.data.identity,
          summary: row.data.summary ?? null,
          severity: row.data.severity,
          status: row.data.firing ? 'firing' : 'resolved',
          attachedAt: row.occurred_at.toISOString(),
          resolvedAt: row.data.firing ? null : row.occurred_at.toISOString(),
        });
      } else {
        const alert = alerts.get(id);
        if (alert) Object.assign(alert, { status: 'resolved', resolvedAt: row.occurred_at.toISOString() });
      }
    }
    return { items: [...alerts.values()] };
  }
}
