import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid } from '../platform/http/uuid';
import { TimelineEntry, toTimelineEntry } from './incident-views';

/** The largest seq PostgreSQL's `integer` column holds; also the bound of `after`. */
export const MAX_SEQ = 2_147_483_647;

interface EventRow {
  seq: number;
  incident_id: string;
  type: string;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/**
 * Reads an incident's timeline from its event log, by seq: the read port the timeline module
 * (REST paging, websocket replay, gap fills) uses instead of the table.
 */
@Injectable()
export class IncidentTimeline {
  constructor(private readonly db: DataSource) {}

  /** Entries of one incident with after < seq ≤ upTo, in seq order, at most `limit`. */
  async read(incidentId: string, after: number, upTo: number, limit: number): Promise<TimelineEntry[]> {
    if (!isUuid(incidentId)) return [];
    const rows = (await this.db.query(
      `SELECT seq, incident_id, type, actor, occurred_at, data FROM incident_events
       WHERE incident_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [incidentId, after, Math.min(upTo, MAX_SEQ), limit],
    )) as EventRow[];
    return rows.map((row) =>
      toTimelineEntry({ seq: row.seq, incidentId: row.incident_id, type: row.type, actor: row.actor, occurredAt: row.occurred_at, data: row.data }),
    );
  }

  /** Every incident has its `incident.declared` entry at seq 1, written with the incident. */
  async exists(incidentId: string): Promise<boolean> {
    if (!isUuid(incidentId)) return false;
    const rows = (await this.db.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND seq = 1`, [incidentId])) as unknown[];
    return rows.length > 0;
  }
}
