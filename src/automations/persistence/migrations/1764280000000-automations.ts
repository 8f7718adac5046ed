import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automations, their runs, runners and held pages.
 * - `signing_secret` is kept as is (it must sign every webhook); it is never listed or logged.
 *   Runner tokens are SHA-256 of 256-bit random tokens; a revoked runner keeps its row (its runs
 *   name it) and its token stops working.
 * - automation_occurrences: one decision (run, suggested, skipped) per automation and alert
 *   occurrence (identity + startsAt): however often the alert is resent, its primary key stops
 *   a second one.
 * - automation_runs is also the job: queued → running (claimed with a lease, by a runner or this
 *   service's webhook worker) → succeeded | failed. A run is claimed once and never requeued,
 *   so it never executes twice; a lapsed lease fails it.
 * - automation_page_holds: the incident whose page waits on an automation's verdict.
 */
export class Automations1764280000000 implements MigrationInterface {
  name = 'Automations1764280000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE automations (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        match jsonb NOT NULL,
        action jsonb NOT NULL,
        mode text NOT NULL CHECK (mode IN ('auto', 'suggest')),
        guards jsonb NOT NULL,
        verify jsonb,
        enabled boolean NOT NULL,
        signing_secret text NOT NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX automations_name ON automations (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE automation_runners (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE automation_runs (
        id uuid PRIMARY KEY,
        automation_id uuid NOT NULL REFERENCES automations (id),
        incident_id uuid NOT NULL,
        alert_id uuid,
        action_type text NOT NULL CHECK (action_type IN ('webhook', 'runner')),
        request jsonb NOT NULL,
        actor text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        queued_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        lease_until timestamptz,
        runner_id uuid REFERENCES automation_runners (id),
        result jsonb,
        reason text,
        verify_status text CHECK (verify_status IN ('pending', 'verified', 'unverified')),
        verify_due_at timestamptz
      )`);
    await q.query(`CREATE INDEX automation_runs_incident ON automation_runs (incident_id, queued_at)`);
    await q.query(`CREATE INDEX automation_runs_recent ON automation_runs (automation_id, queued_at)`);
    await q.query(
      `CREATE INDEX automation_runs_queued ON automation_runs (action_type, queued_at) WHERE status = 'queued'`,
    );
    await q.query(`
      CREATE INDEX automation_runs_verifying ON automation_runs (incident_id) WHERE verify_status = 'pending'`);
    await q.query(`
      CREATE TABLE automation_occurrences (
        automation_id uuid NOT NULL REFERENCES automations (id),
        occurrence text NOT NULL,
        incident_id uuid NOT NULL,
        decision text NOT NULL CHECK (decision IN ('run', 'suggested', 'skipped')),
        run_id uuid REFERENCES automation_runs (id),
        reason text,
        decided_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (automation_id, occurrence)
      )`);
    await q.query(`
      CREATE TABLE automation_page_holds (
        incident_id uuid PRIMARY KEY,
        automation_id uuid NOT NULL REFERENCES automations (id),
        run_id uuid REFERENCES automation_runs (id),
        released_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE automation_page_holds`);
    await q.query(`DROP TABLE automation_occurrences`);
    await q.query(`DROP TABLE automation_runs`);
    await q.query(`DROP TABLE automation_runners`);
    await q.query(`DROP TABLE automations`);
  }
}
