import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalation policies, services, pages and acknowledge tokens.
 * - At most one default policy: a partial unique index, so two concurrent writes cannot both win.
 * - A service names a policy by foreign key (RESTRICT): a policy in use cannot vanish under it.
 * - A page keeps the policy as it was when the page started (`policy`), so editing a policy
 *   mid-page neither skips nor repeats a step. One active page per incident; one page per
 *   triggering event (`trigger_seq`), so a redelivered event starts nothing twice.
 * - Acknowledge tokens are SHA-256 of 256-bit random tokens; the token itself is only in the
 *   message that carries the link.
 * - page_notifications: each person × method × step × round sent as a job (its key), waiting for
 *   its outcome; paging_event_cursor: the last incident event the paging group applied.
 */
export class Paging1764250000001 implements MigrationInterface {
  name = 'Paging1764250000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE escalation_policies (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        repeat integer NOT NULL DEFAULT 0,
        urgent_severities text[] NOT NULL,
        steps jsonb NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX escalation_policies_one_default ON escalation_policies (is_default) WHERE is_default`,
    );
    await q.query(`CREATE INDEX escalation_policies_schedules ON escalation_policies USING gin (steps jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE services (
        name text PRIMARY KEY,
        escalation_policy_id uuid REFERENCES escalation_policies (id) ON DELETE RESTRICT,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX services_by_policy ON services (escalation_policy_id)`);
    await q.query(`
      CREATE TABLE pages (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL,
        trigger_seq integer NOT NULL,
        policy_id uuid NOT NULL,
        policy jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'ended', 'exhausted')),
        step integer,
        round integer,
        paged boolean NOT NULL DEFAULT false,
        acknowledged_at timestamptz,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text,
        UNIQUE (incident_id, trigger_seq)
      )`);
    await q.query(`CREATE UNIQUE INDEX pages_one_active ON pages (incident_id) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE page_ack_tokens (
        token_hash bytea PRIMARY KEY,
        page_id uuid NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
        incident_id uuid NOT NULL,
        responder text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX page_ack_tokens_by_page ON page_ack_tokens (page_id)`);
    await q.query(`
      CREATE TABLE page_notifications (
        job_key text PRIMARY KEY,
        page_id uuid NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
        incident_id uuid NOT NULL,
        responder text NOT NULL,
        method text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX page_notifications_pending ON page_notifications (incident_id, responder, method, created_at) WHERE status = 'pending'`,
    );
    await q.query(`
      CREATE TABLE paging_event_cursor (
        incident_id uuid PRIMARY KEY,
        last_seq integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE paging_event_cursor`);
    await q.query(`DROP TABLE page_notifications`);
    await q.query(`DROP TABLE page_ack_tokens`);
    await q.query(`DROP TABLE pages`);
    await q.query(`DROP TABLE services`);
    await q.query(`DROP TABLE escalation_policies`);
  }
}
