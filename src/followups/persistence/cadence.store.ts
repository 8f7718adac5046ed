import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CadenceFacts } from '../domain/cadence';

@Injectable()
export class CadenceStore {
  /** The facts of these incidents, row-locked for the batch. */
  async load(tx: EntityManager, incidentIds: string[]): Promise<Map<string, CadenceFacts>> {
    const rows: Array<{ incident_id: string; last_seq: number; severity: string; open: boolean; since: Date }> = await tx.query(
      `SELECT incident_id, last_seq, severity, open, since FROM followup_cadence WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id FOR UPDATE`,
      [incidentIds],
    );
    return new Map(
      rows.map((r) => [r.incident_id, { lastSeq: r.last_seq, severity: r.severity, open: r.open, since: r.since.toISOString() }]),
    );
  }

  async save(tx: EntityManager, incidentId: string, f: CadenceFacts): Promise<void> {
    await tx.query(
      `INSERT INTO followup_cadence (incident_id, last_seq, severity, open, since) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, severity = EXCLUDED.severity, open = EXCLUDED.open, since = EXCLUDED.since`,
      [incidentId, f.lastSeq, f.severity, f.open, f.since],
    );
  }
}

/** Read side, outside any batch. */
export async function readCadence(db: { query: (sql: string, params: unknown[]) => Promise<unknown> }, incidentId: string): Promise<CadenceFacts | undefined> {
  const rows = (await db.query(`SELECT last_seq, severity, open, since FROM followup_cadence WHERE incident_id = $1`, [incidentId])) as Array<{
    last_seq: number;
    severity: string;
    open: boolean;
    since: Date;
  }>;
  const r = rows[0];
  return r ? { lastSeq: r.last_seq, severity: r.severity, open: r.open, since: r.since.toISOString() } : undefined;
}
