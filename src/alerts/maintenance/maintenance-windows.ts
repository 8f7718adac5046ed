import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, invalidFields } from '../../platform/http/app-error';
import { decodeCursor, encodeCursor } from '../../platform/http/keyset-cursor';
import { isUuid } from '../../platform/http/uuid';
import { Timers } from '../../platform/timers';
import { parseMaintenanceWindow } from '../domain/maintenance-window';

/** The timer that hands a window's held alerts back when it ends (key: the window id). */
export const RELEASE_TIMER = 'alerts.maintenance-release';

export interface MaintenanceWindowView {
  id: string;
  services: string[];
  start: string;
  /** When it stops holding: the planned end, or when it was ended early (never before start). */
  end: string;
  plannedEnd: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  endedBy: string | null;
  /** Whether it holds alerts now. */
  active: boolean;
  /** When its held alerts were handed back; null until then. */
  releasedAt: string | null;
}

export interface HeldAlertView {
  id: string;
  source: string;
  identity: string;
  groupKey: string;
  service: string | null;
  status: 'firing' | 'resolved';
  severity: string;
  summary: string;
  labels: Record<string, string>;
  startsAt: string;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  /** The incident it joined or declared when released (null while held, or when it resolved held). */
  incidentId: string | null;
  releasedAt: string | null;
}

interface WindowRow {
  id: string;
  services: string[];
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string;
  created_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  released_at: Date | null;
  active: boolean;
}

const WINDOW_COLUMNS = `id, services, starts_at, ends_at, reason, created_by, created_at, ended_at, ended_by, released_at,
  (starts_at <= now() AND ends_at > now() AND ended_at IS NULL) AS active`;

function view(row: WindowRow): MaintenanceWindowView {
  const endedAt = row.ended_at ? Math.max(row.ended_at.getTime(), row.starts_at.getTime()) : Infinity;
  return {
    id: row.id,
    services: row.services,
    start: row.starts_at.toISOString(),
    end: new Date(Math.min(row.ends_at.getTime(), endedAt)).toISOString(),
    plannedEnd: row.ends_at.toISOString(),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    endedBy: row.ended_by,
    active: row.active,
    releasedAt: row.released_at?.toISOString() ?? null,
  };
}

const invalid = invalidFields;

function notFound(id: string): AppError {
  return new AppError('not_found', 'MAINTENANCE_WINDOW_NOT_FOUND', `No maintenance window ${id.slice(0, 64)}`);
}

export function pageLimit(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > 500)
    throw invalid([{ path: 'limit', problem: 'must be a whole number from 1 to 500' }]);
  return n;
}

/** Maintenance windows: their rows, and the release timer scheduled in the same transaction. */
@Injectable()
export class MaintenanceWindows {
  constructor(
    private readonly db: DataSource,
    private readonly timers: Timers,
  ) {}

  async create(body: unknown, actor: string): Promise<MaintenanceWindowView> {
    const parsed = parseMaintenanceWindow(body, new Date());
    if ('problems' in parsed) throw invalid(parsed.problems);
    const { services, start, end, reason } = parsed.window;
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      const [row] = (await tx.query(
        // Milliseconds, as the cursor carries them: a finer created_at would skip rows between pages.
        `INSERT INTO maintenance_windows (id, services, starts_at, ends_at, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, date_trunc('milliseconds', now())) RETURNING ${WINDOW_COLUMNS}`,
        [id, services, start, end, reason, actor],
      )) as WindowRow[];
      await this.timers.schedule({ kind: RELEASE_TIMER, key: id, dueAt: end, payload: { windowId: id } }, tx);
      return view(row);
    });
  }

  async get(id: string, tx?: EntityManager): Promise<MaintenanceWindowView> {
    if (!isUuid(id)) throw notFound(id);
    const [row] = (await (tx ?? this.db.manager).query(
      `SELECT ${WINDOW_COLUMNS} FROM maintenance_windows WHERE id = $1`,
      [id],
    )) as WindowRow[];
    if (!row) throw notFound(id);
    return view(row);
  }

  /** Newest first; `active` true: holding now, false: not (future, over or ended). */
  async list(
    active: boolean | undefined,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: MaintenanceWindowView[]; nextCursor: string | null }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const rows = (await this.db.query(
      `SELECT * FROM (SELECT ${WINDOW_COLUMNS} FROM maintenance_windows) w
       WHERE ($1::boolean IS NULL OR active = $1)
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [active ?? null, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    )) as WindowRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(view),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  /**
   * Ends a window now: it stops holding at once and its release timer is moved to now. Ending
   * one already over changes nothing (a retried DELETE succeeds); an unknown id is a 404.
   */
  async end(id: string, actor: string): Promise<void> {
    if (!isUuid(id)) throw notFound(id);
    await this.db.transaction(async (tx) => {
      // Locked first, as a batch and a release lock it: a batch holding under it finishes first.
      const [row] = (await tx.query(
        `SELECT id, (ends_at > now() AND ended_at IS NULL AND released_at IS NULL) AS in_force
         FROM maintenance_windows WHERE id = $1 FOR UPDATE`,
        [id],
      )) as Array<{ id: string; in_force: boolean }>;
      if (!row) throw notFound(id);
      if (!row.in_force) return;
      // TypeORM answers an UPDATE with [rows, count]: read the time first.
      const [{ now }] = (await tx.query(`SELECT now() AS now`)) as Array<{ now: Date }>;
      await tx.query(`UPDATE maintenance_windows SET ended_at = $3, ended_by = $2 WHERE id = $1`, [id, actor, now]);
      await this.timers.reschedule({ kind: RELEASE_TIMER, key: id, dueAt: now, payload: { windowId: id } }, tx);
    });
  }

  /** What the window held, oldest first (including those since resolved or released). */
  async heldAlerts(
    id: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: HeldAlertView[]; nextCursor: string | null }> {
    await this.get(id);
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const rows = (await this.db.query(
      `SELECT id, source, identity, group_key, service, status, severity, summary, labels, starts_at, first_seen_at,
         last_seen_at, resolved_at, incident_id, released_at
       FROM alerts WHERE held_by = $1
         AND ($2::timestamptz IS NULL OR (first_seen_at, id) > ($2::timestamptz, $3::uuid))
       ORDER BY first_seen_at, id LIMIT $4`,
      [id, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    )) as Array<{
      id: string;
      source: string;
      identity: string;
      group_key: string;
      service: string | null;
      status: 'firing' | 'resolved';
      severity: string;
      summary: string;
      labels: Record<string, string>;
      starts_at: Date;
      first_seen_at: Date;
      last_seen_at: Date;
      resolved_at: Date | null;
      incident_id: string | null;
      released_at: Date | null;
    }>;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        source: r.source,
        identity: r.identity,
        groupKey: r.group_key,
        service: r.service,
        status: r.status,
        severity: r.severity,
        summary: r.summary,
        labels: r.labels,
        startsAt: r.starts_at.toISOString(),
        firstSeenAt: r.first_seen_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        resolvedAt: r.resolved_at?.toISOString() ?? null,
        incidentId: r.incident_id,
        releasedAt: r.released_at?.toISOString() ?? null,
      })),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ createdAt: last.first_seen_at.toISOString(), id: last.id }) : null,
    };
  }
}
