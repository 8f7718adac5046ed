import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Layer, Override, ScheduleDefinition, ScheduleVersion } from '../domain';

/** A schedule as the API shows it. */
export interface ScheduleView {
  id: string;
  name: string;
  timeZone: string;
  layers: Layer[];
  notifyShiftStart: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One version of a schedule: what it said, from when, and who made it. */
export interface ScheduleVersionView extends ScheduleDefinition {
  version: number;
  /** null for the first version, which answers for all time before the next. */
  validFrom: string | null;
  actor: string;
  recordedAt: string;
}

export interface OverrideView {
  id: string;
  handle: string;
  start: string;
  end: string;
  createdBy: string;
  createdAt: string;
}

interface ScheduleRow {
  id: string;
  name: string;
  time_zone: string;
  layers: Layer[];
  notify_shift_start: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface OverrideRow {
  id: string;
  seq: string;
  schedule_id: string;
  handle: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  created_at: Date;
  deleted_at: Date | null;
}

type Queryable = DataSource | EntityManager;

const scheduleView = (r: ScheduleRow): ScheduleView => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  layers: r.layers,
  notifyShiftStart: r.notify_shift_start,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const overrideView = (r: OverrideRow): OverrideView => ({
  id: r.id,
  handle: r.handle,
  start: r.starts_at.toISOString(),
  end: r.ends_at.toISOString(),
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

const overrideFact = (r: OverrideRow): Override => ({
  id: r.id,
  handle: r.handle,
  start: r.starts_at.getTime(),
  end: r.ends_at.getTime(),
  createdAt: r.created_at.getTime(),
  deletedAt: r.deleted_at?.getTime() ?? null,
  seq: Number(r.seq),
});

/** Only the fields a definition has, in a stable order (what is stored is what GET returns). */
export function normalizeLayers(layers: Layer[]): Layer[] {
  return layers.map((l) => ({
    name: l.name,
    members: [...l.members],
    start: l.start,
    rotation: l.rotation,
    ...(l.restrictions
      ? { restrictions: l.restrictions.map((r) => ({ days: [...r.days], from: r.from, to: r.to })) }
      : {}),
  }));
}

function definitionJson(definition: ScheduleDefinition): string {
  return JSON.stringify({
    name: definition.name,
    timeZone: definition.timeZone,
    layers: normalizeLayers(definition.layers),
    notifyShiftStart: definition.notifyShiftStart ?? false,
  });
}

/** The on-call module's tables; nothing outside `src/oncall/` reads them. */
@Injectable()
export class ScheduleStore {
  constructor(readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(
    tx: Queryable,
    id: string,
    definition: ScheduleDefinition,
    actor: string,
    now: Date,
  ): Promise<ScheduleView> {
    const [row] = (await tx.query(
      `INSERT INTO oncall_schedules (id, name, time_zone, layers, notify_shift_start, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, 1, $6, $6) RETURNING *`,
      [
        id,
        definition.name,
        definition.timeZone,
        JSON.stringify(normalizeLayers(definition.layers)),
        definition.notifyShiftStart ?? false,
        now,
      ],
    )) as ScheduleRow[];
    await tx.query(
      `INSERT INTO oncall_schedule_versions (schedule_id, version, valid_from, definition, actor, recorded_at)
       VALUES ($1, 1, NULL, $2::jsonb, $3, $4)`,
      [id, definitionJson(definition), actor, now],
    );
    return scheduleView(row);
  }

  /**
   * The new definition becomes the current one and a version in force from `now` (or from the
   * previous version's start, should clocks of two instances disagree: versions never go back).
   */
  async replace(
    tx: EntityManager,
    id: string,
    definition: ScheduleDefinition,
    actor: string,
    now: Date,
  ): Promise<ScheduleView> {
    const [[row]] = (await tx.query(
      `UPDATE oncall_schedules SET name = $2, time_zone = $3, layers = $4::jsonb, notify_shift_start = $5,
         version = version + 1, updated_at = $6
       WHERE id = $1 RETURNING *`,
      [
        id,
        definition.name,
        definition.timeZone,
        JSON.stringify(normalizeLayers(definition.layers)),
        definition.notifyShiftStart ?? false,
        now,
      ],
    )) as [ScheduleRow[], number];
    await tx.query(
      `INSERT INTO oncall_schedule_versions (schedule_id, version, valid_from, definition, actor, recorded_at)
       SELECT $1, $2, GREATEST($4::timestamptz, max(valid_from)), $3::jsonb, $5, $4
       FROM oncall_schedule_versions WHERE schedule_id = $1`,
      [id, row.version, definitionJson(definition), now, actor],
    );
    return scheduleView(row);
  }

  async find(
    id: string,
    tx: Queryable = this.db,
    lock: '' | 'FOR UPDATE' | 'FOR KEY SHARE' = '',
  ): Promise<ScheduleView | null> {
    const [row] = (await tx.query(`SELECT * FROM oncall_schedules WHERE id = $1 ${lock}`, [id])) as ScheduleRow[];
    return row ? scheduleView(row) : null;
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM oncall_schedules WHERE id = $1`, [id]);
  }

  /** By name, then id; `after` is the last (name, id) seen. */
  async list(limit: number, after?: { name: string; id: string }): Promise<ScheduleView[]> {
    const rows = (await this.db.query(
      after
        ? `SELECT * FROM oncall_schedules WHERE (name, id) > ($2, $3::uuid) ORDER BY name, id LIMIT $1`
        : `SELECT * FROM oncall_schedules ORDER BY name, id LIMIT $1`,
      after ? [limit, after.name, after.id] : [limit],
    )) as ScheduleRow[];
    return rows.map(scheduleView);
  }

  async all(): Promise<ScheduleView[]> {
    return ((await this.db.query(`SELECT * FROM oncall_schedules ORDER BY name, id`)) as ScheduleRow[]).map(
      scheduleView,
    );
  }

  /** The schedule's versions, newest first, below `beforeVersion` when given. */
  async versions(scheduleId: string, limit: number, beforeVersion?: number): Promise<ScheduleVersionView[]> {
    const rows = (await this.db.query(
      `SELECT version, valid_from, definition, actor, recorded_at FROM oncall_schedule_versions
       WHERE schedule_id = $1 AND ($3::int IS NULL OR version < $3) ORDER BY version DESC LIMIT $2`,
      [scheduleId, limit, beforeVersion ?? null],
    )) as Array<{
      version: number;
      valid_from: Date | null;
      definition: ScheduleDefinition;
      actor: string;
      recorded_at: Date;
    }>;
    return rows.map((r) => ({
      version: r.version,
      validFrom: r.valid_from?.toISOString() ?? null,
      actor: r.actor,
      recordedAt: r.recorded_at.toISOString(),
      ...r.definition,
    }));
  }

  /** Names of schedules whose current layers list `handle`. */
  async namingMember(handle: string): Promise<Array<{ id: string; name: string }>> {
    return (await this.db.query(
      `SELECT id, name FROM oncall_schedules
       WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(layers) l WHERE l->'members' ? $1)
       ORDER BY name, id`,
      [handle],
    )) as Array<{ id: string; name: string }>;
  }

  /** The versions of each schedule in force at some instant of `[from, to)`, oldest first. */
  async versionsFor(
    ids: string[],
    from: Date,
    to: Date,
    tx: Queryable = this.db,
  ): Promise<Map<string, ScheduleVersion[]>> {
    const rows = (await tx.query(
      `SELECT v.schedule_id, v.valid_from, v.definition FROM oncall_schedule_versions v
       WHERE v.schedule_id = ANY($1::uuid[]) AND (v.valid_from IS NULL OR v.valid_from < $3)
         AND NOT EXISTS (SELECT 1 FROM oncall_schedule_versions n
                         WHERE n.schedule_id = v.schedule_id AND n.version > v.version AND n.valid_from <= $2)
       ORDER BY v.schedule_id, v.version`,
      [ids, from, to],
    )) as Array<{ schedule_id: string; valid_from: Date | null; definition: ScheduleDefinition }>;
    const versions = new Map<string, ScheduleVersion[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      versions.get(row.schedule_id)?.push({ validFrom: row.valid_from?.getTime() ?? null, definition: row.definition });
    }
    return versions;
  }

  /** Overrides of each schedule that were in force at some instant of `[from, to)`. */
  async overridesFor(ids: string[], from: Date, to: Date, tx: Queryable = this.db): Promise<Map<string, Override[]>> {
    const rows = (await tx.query(
      `SELECT * FROM oncall_overrides
       WHERE schedule_id = ANY($1::uuid[]) AND starts_at < $3 AND ends_at > $2
         AND created_at < $3 AND (deleted_at IS NULL OR deleted_at > $2)`,
      [ids, from, to],
    )) as OverrideRow[];
    const overrides = new Map<string, Override[]>(ids.map((id) => [id, []]));
    for (const row of rows) overrides.get(row.schedule_id)?.push(overrideFact(row));
    return overrides;
  }

  async insertOverride(
    tx: Queryable,
    input: { id: string; scheduleId: string; handle: string; start: Date; end: Date; createdBy: string; now: Date },
  ): Promise<OverrideView> {
    const [row] = (await tx.query(
      `INSERT INTO oncall_overrides (id, schedule_id, handle, starts_at, ends_at, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [input.id, input.scheduleId, input.handle, input.start, input.end, input.createdBy, input.now],
    )) as OverrideRow[];
    return overrideView(row);
  }

  /** Live overrides overlapping `[from, to)` (either end open), by start then id, after the position given. */
  async listOverrides(
    scheduleId: string,
    range: { from?: Date; to?: Date },
    limit: number,
    after?: { start: string; id: string },
  ): Promise<OverrideView[]> {
    const rows = (await this.db.query(
      `SELECT * FROM oncall_overrides
       WHERE schedule_id = $1 AND deleted_at IS NULL
         AND ($2::timestamptz IS NULL OR ends_at > $2) AND ($3::timestamptz IS NULL OR starts_at < $3)
         AND ($5::timestamptz IS NULL OR (starts_at, id) > ($5, $6::uuid))
       ORDER BY starts_at, id LIMIT $4`,
      [scheduleId, range.from ?? null, range.to ?? null, limit, after?.start ?? null, after?.id ?? null],
    )) as OverrideRow[];
    return rows.map(overrideView);
  }

  /** True when a live override was ended; a deleted one stays in the past it covered. */
  async deleteOverride(scheduleId: string, overrideId: string, now: Date, tx: Queryable = this.db): Promise<boolean> {
    const [, count] = (await tx.query(
      `UPDATE oncall_overrides SET deleted_at = $3 WHERE schedule_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [scheduleId, overrideId, now],
    )) as [unknown[], number];
    return count > 0;
  }

  async replaceFeed(tx: Queryable, scheduleId: string, tokenHash: Buffer, actor: string, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO oncall_calendar_feeds (schedule_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (schedule_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_by = EXCLUDED.created_by,
         created_at = EXCLUDED.created_at`,
      [scheduleId, tokenHash, actor, now],
    );
  }

  async scheduleOfFeed(tokenHash: Buffer): Promise<string | null> {
    const [row] = (await this.db.query(`SELECT schedule_id FROM oncall_calendar_feeds WHERE token_hash = $1`, [
      tokenHash,
    ])) as Array<{
      schedule_id: string;
    }>;
    return row?.schedule_id ?? null;
  }
}
