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

/** The incidents among `incidentIds` that exist (any order), in one read: a board's snapshots. */
export class GetIncidents extends Query<IncidentView[]> {
  constructor(readonly incidentIds: string[]) {
    super();
  }
}

/** The incident a human number (`#42`) names; IncidentNotFound when none does. */
export class GetIncidentByNumber extends Query<IncidentView> {
  constructor(readonly number: number) {
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

@QueryHandler(GetIncidents)
export class GetIncidentsHandler implements IQueryHandler<GetIncidents> {
  constructor(private readonly db: DataSource) {}

  async execute({ incidentIds }: GetIncidents): Promise<IncidentView[]> {
    const ids = incidentIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = (await this.db.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ANY($1::uuid[])`, [
      ids,
    ])) as IncidentRow[];
    return rows.map(viewOf);
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

@QueryHandler(GetIncidentByNumber)
export class GetIncidentByNumberHandler implements IQueryHandler<GetIncidentByNumber> {
  constructor(private readonly db: DataSource) {}

  async execute({ number }: GetIncidentByNumber): Promise<IncidentView> {
    const rows =
      Number.isSafeInteger(number) && number > 0 && number <= 2_147_483_647
        ? ((await this.db.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE number = $1`, [
            number,
          ])) as IncidentRow[])
        : [];
    if (!rows[0]) throw new IncidentNotFound(`#${number}`);
    return viewOf(rows[0]);
  }
}
