import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: jobs keyed by (event, channel, recipient) before they are sent; per-gate
 * "not before" times (Slack 429 Retry-After, pacing); the Slack thread of each incident per
 * channel; what the notifications module remembers of each incident; escalation timers.
 */
export class Notifications1764190000000 implements MigrationInterface {
  name = 'Notifications1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_jobs (
        id bigserial PRIMARY KEY,
        uid uuid NOT NULL DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL,
        event_seq int NOT NULL,
        channel text NOT NULL CHECK (channel IN ('slack', 'email')),
        recipient text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('announce', 'update', 'direct')),
        gate text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'merged', 'sent', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        due_at timestamptz NOT NULL DEFAULT now(),
        give_up_at timestamptz NOT NULL,
        claim_token uuid,
        claimed_until timestamptz,
        merged_into bigint REFERENCES notification_jobs (id),
        progress jsonb NOT NULL DEFAULT '{}',
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT notification_jobs_event_channel_recipient UNIQUE (incident_id, event_seq, channel, recipient)
      )`);
    await q.query(`CREATE INDEX notification_jobs_due ON notification_jobs (due_at) WHERE status IN ('pending', 'sending')`);
    await q.query(`CREATE INDEX notification_jobs_in_flight ON notification_jobs (gate) WHERE status = 'sending'`);
    await q.query(
      `CREATE INDEX notification_jobs_updates ON notification_jobs (incident_id, channel, recipient) WHERE kind = 'update' AND status = 'pending'`,
    );
    await q.query(`CREATE INDEX notification_jobs_merged ON notification_jobs (merged_into) WHERE merged_into IS NOT NULL`);
    await q.query(`CREATE INDEX notification_jobs_incident ON notification_jobs (incident_id, kind)`);
    await q.query(`
      CREATE TABLE notification_gates (
        gate text PRIMARY KEY,
        not_before timestamptz NOT NULL,
        paced_until timestamptz
      )`);
    await q.query(`
      CREATE TABLE slack_threads (
        incident_id uuid NOT NULL,
        channel text NOT NULL,
        channel_id text NOT NULL,
        root_ts text NOT NULL,
        root_version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, channel)
      )`);
    await q.query(`
      CREATE TABLE notification_incidents (
        incident_id uuid PRIMARY KEY,
        last_seq int NOT NULL,
        severity text NOT NULL,
        peak_severity text NOT NULL,
        status text NOT NULL,
        service text,
        deputy text,
        slack_channels text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE escalation_timers (
        incident_id uuid NOT NULL,
        armed_seq int NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'armed' CHECK (status IN ('armed', 'fired', 'cancelled')),
        fired_seq int,
        finished_at timestamptz,
        PRIMARY KEY (incident_id, armed_seq)
      )`);
    await q.query(`CREATE INDEX escalation_timers_due ON escalation_timers (due_at) WHERE status = 'armed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE escalation_timers');
    await q.query('DROP TABLE notification_incidents');
    await q.query('DROP TABLE slack_threads');
    await q.query('DROP TABLE notification_gates');
    await q.query('DROP TABLE notification_jobs');
  }
}
