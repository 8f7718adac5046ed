import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintenance windows, and on each alert the window that held it: the declaration it would
 * have made (so its release declares the same) and when it was released.
 */
export class MaintenanceWindows1764270000000 implements MigrationInterface {
  name = 'MaintenanceWindows1764270000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE maintenance_windows (
        id uuid PRIMARY KEY,
        services text[] NOT NULL CHECK (cardinality(services) > 0),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- DELETE ends it early: no longer holds from then, released at once.
        ended_at timestamptz,
        ended_by text,
        -- Its held alerts were handed back (by the release timer, once).
        released_at timestamptz,
        CHECK (ends_at > starts_at)
      )`);
    await q.query(
      `CREATE INDEX maintenance_windows_in_force ON maintenance_windows USING gin (services) WHERE released_at IS NULL`,
    );
    await q.query(`CREATE INDEX maintenance_windows_newest ON maintenance_windows (created_at DESC, id DESC)`);
    await q.query(`
      ALTER TABLE alerts
        ADD COLUMN held_by uuid REFERENCES maintenance_windows (id),
        ADD COLUMN held_incident jsonb,
        ADD COLUMN released_at timestamptz`);
    await q.query(`CREATE INDEX alerts_held ON alerts (held_by, first_seen_at, id) WHERE held_by IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_held`);
    await q.query(`ALTER TABLE alerts DROP COLUMN released_at, DROP COLUMN held_incident, DROP COLUMN held_by`);
    await q.query(`DROP TABLE maintenance_windows`);
  }
}
