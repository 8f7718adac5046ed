import type { DataSource, EntityManager } from 'typeorm';
import type { Timer, TimerSpec } from './timer';

interface TimerRow {
  id: string;
  kind: string;
  key: string;
  due_at: Date;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

/** TypeORM answers UPDATE/DELETE with [rows, count] and everything else with rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** Several timers' rows as one statement's source: `timerColumns` gives its parameters. */
const TIMER_ROWS = `SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])`;

function timerColumns(specs: TimerSpec[]): unknown[] {
  return [
    specs.map((s) => s.kind),
    specs.map((s) => s.key),
    specs.map((s) => s.dueAt),
    specs.map((s) => JSON.stringify(s.payload ?? {})),
  ];
}

/** A handler threw: its transaction is rolled back; the caller records the failure. */
export class FireFailed extends Error {
  constructor(
    readonly timer: Timer,
    readonly error: unknown,
  ) {
    super(`timer ${timer.kind}/${timer.key} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
    this.name = 'FireFailed';
  }
}

/** Every statement on the `timers` table. */
export class TimerStore {
  constructor(private readonly db: DataSource) {}

  async schedule(spec: TimerSpec, tx?: EntityManager): Promise<boolean> {
    const rows = (await (tx ?? this.db).query(
      `INSERT INTO timers (kind, key, due_at, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT timers_kind_key DO NOTHING RETURNING id`,
      [spec.kind, spec.key, spec.dueAt, JSON.stringify(spec.payload ?? {})],
    )) as unknown[];
    return rows.length > 0;
  }

  /** `schedule` for many in one statement; answers the due times of those it created. */
  async scheduleAll(specs: TimerSpec[], tx?: EntityManager): Promise<Date[]> {
    if (specs.length === 0) return [];
    const rows = rowsOf<{ due_at: Date }>(
      await (tx ?? this.db).query(
        `INSERT INTO timers (kind, key, due_at, payload)
         ${TIMER_ROWS}
         ON CONFLICT ON CONSTRAINT timers_kind_key DO NOTHING RETURNING due_at`,
        timerColumns(specs),
      ),
    );
    return rows.map((r) => r.due_at);
  }

  /** `reschedule` for many distinct (kind, key) in one statement; each gives its payload. */
  async rescheduleAll(specs: TimerSpec[], tx?: EntityManager): Promise<void> {
    if (specs.length === 0) return;
    await (tx ?? this.db).query(
      `INSERT INTO timers (kind, key, due_at, payload)
       ${TIMER_ROWS}
       ON CONFLICT ON CONSTRAINT timers_kind_key DO UPDATE SET due_at = EXCLUDED.due_at,
         payload = EXCLUDED.payload, fired_at = NULL, attempts = 0, last_error = NULL`,
      timerColumns(specs),
    );
  }

  /** Creates the timer, or moves it and re-arms it (fired or not); a missing payload keeps the stored one. */
  async reschedule(spec: TimerSpec, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db).query(
      `INSERT INTO timers (kind, key, due_at, payload) VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'))
       ON CONFLICT ON CONSTRAINT timers_kind_key DO UPDATE SET due_at = EXCLUDED.due_at,
         payload = COALESCE($4::jsonb, timers.payload), fired_at = NULL, attempts = 0, last_error = NULL`,
      [spec.kind, spec.key, spec.dueAt, spec.payload === undefined ? null : JSON.stringify(spec.payload)],
    );
  }

  /** Deletes the pending timers of `kind` among `keys` in one statement; fired ones stay. */
  async cancelAll(kind: string, keys: string[], tx?: EntityManager): Promise<number> {
    if (keys.length === 0) return 0;
    return rowsOf(
      await (tx ?? this.db).query(
        `DELETE FROM timers WHERE kind = $1 AND key = ANY($2::text[]) AND fired_at IS NULL RETURNING id`,
        [kind, keys],
      ),
    ).length;
  }

  /** Deletes a pending timer; a fired one stays (it is history, and keeps its key used). */
  async cancel(kind: string, key: string, tx?: EntityManager): Promise<boolean> {
    const rows = rowsOf(
      await (tx ?? this.db).query(`DELETE FROM timers WHERE kind = $1 AND key = $2 AND fired_at IS NULL RETURNING id`, [
        kind,
        key,
      ]),
    );
    return rows.length > 0;
  }

  /**
   * Claims the earliest due timer of these kinds (SKIP LOCKED: instances share the work) and
   * fires it in the same transaction that marks it fired. When none is claimable: the database
   * time the claim looked at (every timer due by then is fired or being fired elsewhere).
   */
  async fireNext(
    kinds: string[],
    fire: (timer: Timer, tx: EntityManager) => Promise<void>,
  ): Promise<Timer | { idleAt: Date }> {
    return this.db.transaction(async (tx) => {
      const [row] = (await tx.query(
        `SELECT id, kind, key, due_at, payload, attempts, created_at FROM timers
         WHERE fired_at IS NULL AND due_at <= now() AND kind = ANY($1::text[])
         ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [kinds],
      )) as TimerRow[];
      if (!row) {
        // now() is the transaction's start: the instant the claim above saw.
        const [{ at }] = (await tx.query(`SELECT now() AS at`)) as Array<{ at: Date }>;
        return { idleAt: new Date(at) };
      }
      const timer = toTimer(row);
      try {
        await fire(timer, tx);
      } catch (error) {
        throw new FireFailed(timer, error);
      }
      await tx.query(`UPDATE timers SET fired_at = now() WHERE id = $1`, [timer.id]);
      return timer;
    });
  }

  /** After a failed fire (rolled back): count it and push the timer back. */
  async recordFailure(timer: Timer, error: string, delayMs: number): Promise<void> {
    await this.db.query(
      `UPDATE timers SET attempts = attempts + 1, last_error = $2, due_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND fired_at IS NULL`,
      [timer.id, error.slice(0, 2000), delayMs],
    );
  }

  /**
   * Milliseconds until the next timer of these kinds falls due (0: already). Rows due by
   * `after` (an empty claim's time) are left out: another instance holds them.
   */
  async nextDueInMs(kinds: string[], after: Date): Promise<number | undefined> {
    const [row] = (await this.db.query(
      `SELECT EXTRACT(EPOCH FROM (min(due_at) - clock_timestamp())) * 1000 AS ms FROM timers
       WHERE fired_at IS NULL AND kind = ANY($1::text[]) AND due_at > $2`,
      [kinds, after],
    )) as Array<{ ms: string | number | null }>;
    return row?.ms === null || row?.ms === undefined ? undefined : Math.max(0, Number(row.ms));
  }

  /** Kinds with timers overdue by more than `graceMs` that no handler here knows. */
  async unclaimedKinds(
    known: string[],
    graceMs: number,
  ): Promise<Array<{ kind: string; count: number; oldest: Date }>> {
    const rows = (await this.db.query(
      `SELECT kind, count(*)::int AS count, min(due_at) AS oldest FROM timers
       WHERE fired_at IS NULL AND due_at < now() - $2 * interval '1 millisecond' AND NOT (kind = ANY($1::text[]))
       GROUP BY kind ORDER BY kind`,
      [known, graceMs],
    )) as Array<{ kind: string; count: number; oldest: Date }>;
    return rows.map((r) => ({ kind: r.kind, count: Number(r.count), oldest: new Date(r.oldest) }));
  }

  /** Timers of the whole deployment due more than `graceMs` ago and not fired yet. */
  async overdue(graceMs: number): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n FROM timers WHERE fired_at IS NULL AND due_at < now() - $1 * interval '1 millisecond'`,
      [graceMs],
    )) as Array<{ n: number }>;
    return Number(row?.n ?? 0);
  }

  async prune(olderThanMs: number, limit = 1000): Promise<number> {
    const rows = rowsOf(
      await this.db.query(
        `DELETE FROM timers WHERE id IN (
           SELECT id FROM timers WHERE fired_at < now() - $1 * interval '1 millisecond' LIMIT $2)
         RETURNING id`,
        [olderThanMs, limit],
      ),
    );
    return rows.length;
  }
}

function toTimer(row: TimerRow): Timer {
  return {
    id: String(row.id),
    kind: row.kind,
    key: row.key,
    dueAt: new Date(row.due_at),
    payload: row.payload,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
  };
}
