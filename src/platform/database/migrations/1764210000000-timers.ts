import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The one timer table (src/platform/timers): time-driven work of every feature is a row due at
 * `due_at`, fired once per (kind, key). A fired row is kept (for a while) so that scheduling
 * the same key again stays a no-op.
 */
export class Timers1764210000000 implements MigrationInterface {
  name = 'Timers1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE timers (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        key text NOT NULL,
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        fired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT timers_kind_key UNIQUE (kind, key)
      )`);
    await q.query(`CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL`);
    // Pruning old fired rows without scanning the pending ones.
    await q.query(`CREATE INDEX timers_fired ON timers (fired_at) WHERE fired_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE timers');
  }
}
