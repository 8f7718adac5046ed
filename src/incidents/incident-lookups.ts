import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { GroupIncident } from './domain';

/**
 * What other modules may ask about incidents inside their own transaction (so the answer is
 * consistent with what they then write): the alert consumer's grouping and change correlation.
 */
@Injectable()
export class IncidentLookups {
  /** Each group's open incident, else its most recently resolved one. */
  async groupIncidents(tx: EntityManager, groups: string[]): Promise<Map<string, GroupIncident>> {
    if (groups.length === 0) return new Map();
    const rows = (await tx.query(
      `SELECT DISTINCT ON (group_key) id, group_key, status, resolved_at FROM incidents
       WHERE group_key = ANY($1::text[])
       ORDER BY group_key, (status <> 'resolved') DESC, resolved_at DESC NULLS LAST, created_at DESC`,
      [groups],
    )) as Array<{ id: string; group_key: string; status: string; resolved_at: Date | null }>;
    return new Map(rows.map((r) => [r.group_key, { id: r.id, groupKey: r.group_key, status: r.status, resolvedAt: r.resolved_at }]));
  }

  /** Ids of the incidents of `service` declared in [from, to), oldest first. */
  async declaredBetween(tx: EntityManager, service: string, from: Date, to: Date): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT id FROM incidents WHERE service = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id`,
      [service, from, to],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }
}
