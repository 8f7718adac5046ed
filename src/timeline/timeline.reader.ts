import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TimelineEntry } from '../incidents';
import { IncidentNotFound } from '../incidents';
import { isUuid } from '../platform/http/uuid';
import { describedEntry } from './timeline-entry';

/** The largest seq PostgreSQL's `integer` column holds; also the bound of `after`. */
export const MAX_SEQ = 2_147_483_647;

export interface TimelinePage {
  items: TimelineEntry[];
  /**
   * The seq of the last item when more entries existed at read time (pass it as `after`);
   * null when the page reached the end of the timeline as it was then.
   */
  nextAfter: number | null;
}

interface EventRow {
  seq: number;
  incident_id: string;
  type: string;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** Reads the timeline straight from the event log (`incident_events`), by seq. */
@Injectable()
export class TimelineReader {
  constructor(private readonly db: DataSource) {}

  /** Entries of one incident with after < seq ≤ upTo, in seq order, at most `limit`. */
  async read(incidentId: string, after: number, upTo: number, limit: number): Promise<TimelineEntry[]> {
    const rows = (await this.db.query(
      `SELECT seq, incident_id, type, actor, occurred_at, data FROM incident_events
       WHERE incident_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [incidentId, after, Math.min(upTo, MAX_SEQ), limit],
    )) as EventRow[];
    return rows.map(toEntry);
  }

  /** Every incident has its `incident.declared` entry at seq 1, written with the incident. */
  async exists(incidentId: string): Promise<boolean> {
    if (!isUuid(incidentId)) return false;
    const rows = (await this.db.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND seq = 1`, [
      incidentId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** One page for the REST API; an unknown (or malformed) id is IncidentNotFound. */
  async page(incidentId: string, after: number, limit: number): Promise<TimelinePage> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    // One row more than asked tells whether another page exists.
    const rows = await this.read(incidentId, after, MAX_SEQ, limit + 1);
    if (rows.length === 0 && !(await this.exists(incidentId))) throw new IncidentNotFound(incidentId);
    const items = rows.slice(0, limit);
    return { items, nextAfter: rows.length > limit ? items[items.length - 1].seq : null };
  }
}

function toEntry(row: EventRow): TimelineEntry {
  return describedEntry({
    seq: row.seq,
    incidentId: row.incident_id,
    type: row.type,
    occurredAt: row.occurred_at,
    actor: row.actor,
    data: row.data,
  });
}
