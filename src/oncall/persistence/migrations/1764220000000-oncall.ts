import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On-call schedules. `oncall_schedules` holds the current definition (what GET shows);
 * `oncall_schedule_versions` keeps every definition with the instant it took effect, so a past
 * instant is answered by the version in force then. Overrides are soft-deleted for the same
 * reason: deleting one ends it from then on and leaves the past as it was. A calendar feed is
 * a SHA-256 of its random token, one per schedule (a new one replaces, so revokes, the old).
 */
export class OnCall1764220000000 implements MigrationInterface {
  name = 'OnCall1764220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oncall_schedules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        time_zone text NOT NULL,
        layers jsonb NOT NULL,
        notify_shift_start boolean NOT NULL DEFAULT false,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oncall_schedules_by_name ON oncall_schedules (name, id)`);
    await q.query(`
      CREATE TABLE oncall_schedule_versions (
        schedule_id uuid NOT NULL REFERENCES oncall_schedules (id) ON DELETE CASCADE,
        version integer NOT NULL,
        valid_from timestamptz,
        definition jsonb NOT NULL,
        actor text NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (schedule_id, version)
      )`);
    await q.query(`COMMENT ON COLUMN oncall_schedule_versions.valid_from IS
      'When this version took effect; NULL for the first, which answers for all time before the next'`);
    await q.query(`
      CREATE TABLE oncall_overrides (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        schedule_id uuid NOT NULL REFERENCES oncall_schedules (id) ON DELETE CASCADE,
        handle text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX oncall_overrides_by_schedule ON oncall_overrides (schedule_id, starts_at, id)`);
    await q.query(`
      CREATE TABLE oncall_calendar_feeds (
        schedule_id uuid PRIMARY KEY REFERENCES oncall_schedules (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oncall_calendar_feeds`);
    await q.query(`DROP TABLE oncall_overrides`);
    await q.query(`DROP TABLE oncall_schedule_versions`);
    await q.query(`DROP TABLE oncall_schedules`);
  }
}
