import { DataSource, EntityManager } from 'typeorm';
import { Incident, toIncidentEvent } from '../domain';
import { ACTION_ITEM_COLUMNS, ActionItemRow, INCIDENT_COLUMNS, IncidentRow, incidentRowValues } from './incident-rows';

export interface ReadModelDifference {
  incidentId: string;
  table: 'incidents' | 'action_items';
  /** A column name, or `row` when a whole row is missing or extra. */
  field: string;
  stored: unknown;
  fromEvents: unknown;
}

export interface RebuildReport {
  incidents: number;
  events: number;
  differences: ReadModelDifference[];
  applied: boolean;
}

const columns = INCIDENT_COLUMNS.split(',').map((c) => c.trim());
const comparable = (v: unknown) => (v instanceof Date ? v.toISOString() : Array.isArray(v) ? JSON.stringify(v) : v ?? null);

function actionItemValues(incidentId: string, item: ReturnType<Incident['actionItems']>[number]) {
  return {
    id: item.id,
    incident_id: incidentId,
    title: item.title,
    owner: item.owner,
    due_date: item.dueDate,
    status: item.status,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  };
}

/**
 * Replays every incident's events and compares the result with the read models (`incidents`,
 * `action_items`). With `apply`, rewrites the read models from the events in one transaction.
 * The event log is the source of truth; a difference means a read model drifted.
 */
export async function rebuildReadModels(db: DataSource, options: { apply: boolean }): Promise<RebuildReport> {
  return db.transaction('REPEATABLE READ', async (tx) => {
    // Writers take the incident row lock; holding every row keeps the comparison stable.
    if (options.apply) await tx.query(`LOCK TABLE incidents, action_items IN SHARE ROW EXCLUSIVE MODE`);
    const ids = ((await tx.query(`SELECT DISTINCT incident_id FROM incident_events ORDER BY incident_id`)) as Array<{
      incident_id: string;
    }>).map((r) => r.incident_id);
    const differences: ReadModelDifference[] = [];
    let eventCount = 0;
    for (const id of ids) {
      const rows = (await tx.query(
        `SELECT type, actor, occurred_at AS "occurredAt", data FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
        [id],
      )) as Array<{ type: string; actor: string; occurredAt: Date; data: unknown }>;
      eventCount += rows.length;
      const incident = Incident.fromEvents(id, rows.map(toIncidentEvent));
      const expected = incidentRowValues(incident.snapshot(), incident.notes, rows[rows.length - 1].occurredAt);
      differences.push(...(await compareIncident(tx, id, expected)), ...(await compareActionItems(tx, incident)));
      if (options.apply) await write(tx, incident, expected);
    }
    const orphans = (await tx.query(
      `SELECT id FROM incidents WHERE NOT EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = incidents.id)`,
    )) as Array<{ id: string }>;
    for (const { id } of orphans) {
      differences.push({ incidentId: id, table: 'incidents', field: 'row', stored: 'present', fromEvents: 'absent' });
      if (options.apply) {
        await tx.query(`DELETE FROM action_items WHERE incident_id = $1`, [id]);
        await tx.query(`DELETE FROM incidents WHERE id = $1`, [id]);
      }
    }
    return { incidents: ids.length, events: eventCount, differences, applied: options.apply };
  });
}

async function compareIncident(tx: EntityManager, id: string, expected: unknown[]): Promise<ReadModelDifference[]> {
  const [stored] = (await tx.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [id])) as IncidentRow[];
  if (!stored) return [{ incidentId: id, table: 'incidents', field: 'row', stored: 'absent', fromEvents: 'present' }];
  return columns.flatMap((column, i) => {
    const a = comparable((stored as unknown as Record<string, unknown>)[column]);
    const b = comparable(expected[i]);
    return a === b ? [] : [{ incidentId: id, table: 'incidents' as const, field: column, stored: a, fromEvents: b }];
  });
}

async function compareActionItems(tx: EntityManager, incident: Incident): Promise<ReadModelDifference[]> {
  const stored = (await tx.query(`SELECT ${ACTION_ITEM_COLUMNS} FROM action_items WHERE incident_id = $1`, [
    incident.id,
  ])) as ActionItemRow[];
  const byId = new Map(stored.map((r) => [r.id, r]));
  const differences: ReadModelDifference[] = [];
  for (const item of incident.actionItems()) {
    const expected = actionItemValues(incident.id, item);
    const row = byId.get(item.id);
    byId.delete(item.id);
    if (!row) {
      differences.push({ incidentId: incident.id, table: 'action_items', field: 'row', stored: 'absent', fromEvents: item.id });
      continue;
    }
    for (const [field, value] of Object.entries(expected)) {
      const a = comparable((row as unknown as Record<string, unknown>)[field]);
      const b = comparable(value);
      if (a !== b) differences.push({ incidentId: incident.id, table: 'action_items', field: `${item.id}.${field}`, stored: a, fromEvents: b });
    }
  }
  for (const extra of byId.keys()) {
    differences.push({ incidentId: incident.id, table: 'action_items', field: 'row', stored: extra, fromEvents: 'absent' });
  }
  return differences;
}

async function write(tx: EntityManager, incident: Incident, expected: unknown[]): Promise<void> {
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  await tx.query(
    `INSERT INTO incidents (${columns.join(', ')}) VALUES (${placeholders}) ON CONFLICT (id) DO UPDATE SET ${updates}`,
    expected,
  );
  await tx.query(`DELETE FROM action_items WHERE incident_id = $1`, [incident.id]);
  for (const item of incident.actionItems()) {
    const v = actionItemValues(incident.id, item);
    await tx.query(
      `INSERT INTO action_items (id, incident_id, title, owner, due_date, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [v.id, v.incident_id, v.title, v.owner, v.due_date, v.status, v.created_at, v.updated_at],
    );
  }
}
