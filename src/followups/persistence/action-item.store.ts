import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** The contract's action item, across incidents and standalone lists. */
export interface FollowupItemView {
  id: string;
  incidentId: string | null;
  title: string;
  owner: string | null;
  dueDate: string | null;
  status: 'open' | 'done';
  tags: string[];
  overdue: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ItemFilters {
  owner?: string;
  status?: 'open' | 'done';
  overdue?: boolean;
  tag?: string;
  incidentId?: string;
  /** `YYYY-MM-DD` (UTC): what "overdue" is measured against. */
  today: string;
  limit: number;
  after?: { due: string; id: string };
}

interface Row {
  id: string;
  incident_id: string | null;
  title: string;
  owner: string | null;
  due_date: string | null;
  status: 'open' | 'done';
  tags: string[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Infinity sorts undated items last; the cursor carries it as this string. */
export const UNDATED = 'infinity';
const COLUMNS = `id, incident_id, title, owner, to_char(due_date, 'YYYY-MM-DD') AS due_date, status, tags, created_by, created_at, updated_at, version`;

@Injectable()
export class ActionItemStore {
  constructor(private readonly db: DataSource) {}

  async find(id: string, today: string, tx?: EntityManager): Promise<FollowupItemView | null> {
    const rows: Row[] = await (tx ?? this.db.manager).query(`SELECT ${COLUMNS} FROM followup_action_items WHERE id = $1${tx ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toView(rows[0], today) : null;
  }

  async insertStandalone(
    tx: EntityManager,
    item: { id: string; title: string; owner: string | null; dueDate: string | null; tags: string[]; createdBy: string; at: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO followup_action_items (id, incident_id, title, owner, due_date, status, tags, created_by, created_at, updated_at)
       VALUES ($1, NULL, $2, $3, $4, 'open', $5, $6, $7, $7)`,
      [item.id, item.title, item.owner, item.dueDate, item.tags, item.createdBy, item.at],
    );
  }

  async updateStandalone(
    tx: EntityManager,
    id: string,
    changes: { title?: string; owner?: string | null; dueDate?: string | null; status?: string; tags?: string[] },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE followup_action_items SET
         title = COALESCE($2, title),
         owner = CASE WHEN $3 THEN $4 ELSE owner END,
         due_date = CASE WHEN $5 THEN $6::date ELSE due_date END,
         status = COALESCE($7, status),
         tags = COALESCE($8, tags),
         updated_at = $9,
         version = version + 1
       WHERE id = $1`,
      [
        id,
        changes.title ?? null,
        changes.owner !== undefined,
        changes.owner ?? null,
        changes.dueDate !== undefined,
        changes.dueDate ?? null,
        changes.status ?? null,
        changes.tags ?? null,
        at,
      ],
    );
  }

  /** Tags of an incident's item live only here (the aggregate has none). */
  async setTags(tx: EntityManager | undefined, id: string, tags: string[]): Promise<void> {
    await (tx ?? this.db.manager).query(`UPDATE followup_action_items SET tags = $2 WHERE id = $1`, [id, tags]);
  }

  /**
   * Write-through of an incident item as its command answered it, so the writer reads its own
   * write before the event arrives. A row already newer (by updated_at) is left alone.
   */
  async upsertIncidentItem(
    item: { id: string; incidentId: string; title: string; owner: string | null; dueDate: string | null; status: string; createdAt: string; updatedAt: string },
    createdBy: string,
    tags?: string[],
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO followup_action_items (id, incident_id, title, owner, due_date, status, tags, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '{}'::text[]), $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET
         title = EXCLUDED.title, owner = EXCLUDED.owner, due_date = EXCLUDED.due_date, status = EXCLUDED.status,
         tags = COALESCE($7, followup_action_items.tags),
         updated_at = EXCLUDED.updated_at, version = followup_action_items.version + 1
       WHERE followup_action_items.updated_at < EXCLUDED.updated_at OR $7::text[] IS NOT NULL`,
      [item.id, item.incidentId, item.title, item.owner, item.dueDate, item.status, tags ?? null, createdBy, item.createdAt, item.updatedAt],
    );
  }

  /**
   * Applies an incident's `action_item.*` event. A redelivery (seq at or below the last applied)
   * and an event older than a written-through state change nothing.
   */
  async applyEvent(
    tx: EntityManager,
    event: { incidentId: string; seq: number; type: string; actor: string; occurredAt: string; data: Record<string, unknown> },
  ): Promise<void> {
    const d = event.data;
    if (event.type === 'action_item.added') {
      await tx.query(
        `INSERT INTO followup_action_items (id, incident_id, title, owner, due_date, status, tags, created_by, created_at, updated_at, source_seq)
         VALUES ($1, $2, $3, $4, $5, 'open', '{}', $6, $7, $7, $8)
         ON CONFLICT (id) DO UPDATE SET source_seq = GREATEST(followup_action_items.source_seq, EXCLUDED.source_seq)`,
        [d.actionItemId, event.incidentId, d.title, d.owner ?? null, d.dueDate ?? null, event.actor, event.occurredAt, event.seq],
      );
      return;
    }
    if (event.type !== 'action_item.updated') return;
    const c = (d.changes ?? {}) as { title?: string; owner?: string | null; dueDate?: string | null; status?: string };
    await tx.query(
      `UPDATE followup_action_items SET
         title = COALESCE($3, title),
         owner = CASE WHEN $4 THEN $5 ELSE owner END,
         due_date = CASE WHEN $6 THEN $7::date ELSE due_date END,
         status = COALESCE($8, status),
         updated_at = GREATEST(updated_at, $9),
         version = version + 1,
         source_seq = $2
       WHERE id = $1 AND (source_seq IS NULL OR source_seq < $2) AND updated_at <= $9`,
      [d.actionItemId, event.seq, c.title ?? null, 'owner' in c, c.owner ?? null, 'dueDate' in c, c.dueDate ?? null, c.status ?? null, event.occurredAt],
    );
    // Skipped as older than the row: still remember it was seen.
    await tx.query(
      `UPDATE followup_action_items SET source_seq = $2 WHERE id = $1 AND (source_seq IS NULL OR source_seq < $2)`,
      [d.actionItemId, event.seq],
    );
  }

  /** Soonest due first (undated last), then id; keyset on that pair. */
  async list(f: ItemFilters): Promise<{ items: FollowupItemView[]; last?: { due: string; id: string } }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.owner !== undefined) where.push(`owner = ${p(f.owner)}`);
    if (f.status !== undefined) where.push(`status = ${p(f.status)}`);
    if (f.overdue === true) where.push(`status = 'open' AND due_date < ${p(f.today)}::date`);
    if (f.overdue === false) where.push(`NOT (status = 'open' AND due_date IS NOT NULL AND due_date < ${p(f.today)}::date)`);
    if (f.tag !== undefined) where.push(`tags @> ARRAY[${p(f.tag)}]::text[]`);
    if (f.incidentId !== undefined) where.push(`incident_id = ${p(f.incidentId)}`);
    if (f.after) where.push(`(COALESCE(due_date, 'infinity'::date), id) > (${p(f.after.due)}::date, ${p(f.after.id)}::uuid)`);
    const rows: Array<Row & { sort_due: string }> = await this.db.query(
      `SELECT ${COLUMNS}, COALESCE(due_date, 'infinity'::date)::text AS sort_due FROM followup_action_items
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY COALESCE(due_date, 'infinity'::date), id
       LIMIT ${p(f.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, f.limit);
    const last = rows.length > f.limit ? page[page.length - 1] : undefined;
    return { items: page.map((r) => toView(r, f.today)), last: last ? { due: last.sort_due, id: last.id } : undefined };
  }

  /** Open items with an owner, due on or before `horizon`, grouped by owner. */
  async dueByOwner(tx: EntityManager, horizon: string, owner?: string): Promise<Map<string, Array<{ id: string; title: string; dueDate: string; incidentId: string | null; tags: string[] }>>> {
    const rows: Row[] = await tx.query(
      `SELECT ${COLUMNS} FROM followup_action_items
       WHERE status = 'open' AND owner IS NOT NULL AND due_date <= $1::date ${owner ? 'AND owner = $2' : ''}
       ORDER BY owner, due_date, id`,
      owner ? [horizon, owner] : [horizon],
    );
    const out = new Map<string, Array<{ id: string; title: string; dueDate: string; incidentId: string | null; tags: string[] }>>();
    for (const r of rows) {
      const list = out.get(r.owner!) ?? [];
      list.push({ id: r.id, title: r.title, dueDate: r.due_date!, incidentId: r.incident_id, tags: r.tags });
      out.set(r.owner!, list);
    }
    return out;
  }

  /** Marks the day's digest of an owner as sent; false when it already was. */
  async claimDigest(tx: EntityManager, day: string, owner: string, items: number): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO followup_digests (day, owner, items, sent_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING RETURNING owner`,
      [day, owner, items],
    );
    return rows.length === 1;
  }

  async digestOwners(tx: EntityManager, day: string): Promise<string[]> {
    const rows: Array<{ owner: string }> = await tx.query(`SELECT owner FROM followup_digests WHERE day = $1 ORDER BY owner`, [day]);
    return rows.map((r) => r.owner);
  }
}

function toView(r: Row, today: string): FollowupItemView {
  return {
    id: r.id,
    incidentId: r.incident_id,
    title: r.title,
    owner: r.owner,
    dueDate: r.due_date,
    status: r.status,
    tags: r.tags,
    overdue: r.status === 'open' && r.due_date !== null && r.due_date < today,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
}
