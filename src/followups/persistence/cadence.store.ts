import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CadenceFacts } from '../domain/cadence';

type CadenceRow = { last_seq: number; severity: string; open: boolean; since: Date };

function toFacts(r: CadenceRow): CadenceFacts {
  return { lastSeq: r.last_seq, severity: r.severity, open: r.open, since: r.since.toISOString() };
}

@Injectable()
export class CadenceStore {
  /** The facts of these incidents, row-locked for the batch. */
  async load(tx: EntityManager, incidentIds: string[]): Promise<Map<string, CadenceFacts>> {
    const rows: Array<CadenceRow & { incident_id: string }> = await tx.query(
      `SELECT incident_id, last_seq, severity, open, since FROM followup_cadence WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id FOR UPDATE`,
      [incidentIds],
    );
    return new Map(rows.map((r) => [r.incident_id, toFacts(r)]));
  }

  /** Which of the incidents this group has facts of (a plain read of ids, before the batch's transaction). */
  async known(db: EntityManager, incidentIds: string[]): Promise<Set<string>> {
    const rows: Array<{ incident_id: string }> = await db.query(
      `SELECT incident_id FROM followup_cadence WHERE incident_id = ANY($1::uuid[])`,
      [incidentIds],
    );
    return new Set(rows.map((r) => r.incident_id));
  }

  /** Several incidents' facts in one statement (a batch's, once each). */
  async saveAll(tx: EntityManager, facts: Map<string, CadenceFacts>): Promise<void> {
    if (facts.size === 0) return;
    const list = [...facts];
    await tx.query(
      `INSERT INTO followup_cadence (incident_id, last_seq, severity, open, since)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::boolean[], $5::timestamptz[])
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, severity = EXCLUDED.severity, open = EXCLUDED.open, since = EXCLUDED.since`,
      [
        list.map(([id]) => id),
        list.map(([, f]) => f.lastSeq),
        list.map(([, f]) => f.severity),
        list.map(([, f]) => f.open),
        list.map(([, f]) => f.since),
      ],
    );
  }
}

/** Read side, outside any batch. */
export async function readCadence(
  db: { query: (sql: string, params: unknown[]) => Promise<unknown> },
  incidentId: string,
): Promise<CadenceFacts | undefined> {
  const rows = (await db.query(`SELECT last_seq, severity, open, since FROM followup_cadence WHERE incident_id = $1`, [
    incidentId,
  ])) as CadenceRow[];
  return rows[0] ? toFacts(rows[0]) : undefined;
}
