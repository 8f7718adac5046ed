import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification jobs become a shared channel service: a `message` job carries its own message,
 * an idempotency key, and an optional incident whose timeline hears the outcome; channels are
 * whatever the service registers (SMS and voice join email and Slack). Escalation timers move
 * to the one timer table (`timers`, kind `notifications.escalation`, key = incident id).
 */
export class MessageJobs1764210000001 implements MigrationInterface {
  name = 'MessageJobs1764210000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_channel_check`);
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_kind_check`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_kind_check
                   CHECK (kind IN ('announce', 'update', 'direct', 'message'))`);
    await q.query(`ALTER TABLE notification_jobs ALTER COLUMN incident_id DROP NOT NULL, ALTER COLUMN event_seq DROP NOT NULL`);
    await q.query(`ALTER TABLE notification_jobs
                   ADD COLUMN idempotency_key text,
                   ADD COLUMN message jsonb,
                   ADD COLUMN record_outcome boolean NOT NULL DEFAULT true,
                   ADD COLUMN recipient_label text`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_idempotency_key UNIQUE (idempotency_key)`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_message_shape
                   CHECK ((kind = 'message') = (message IS NOT NULL AND idempotency_key IS NOT NULL))`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_event_shape
                   CHECK (kind = 'message' OR (incident_id IS NOT NULL AND event_seq IS NOT NULL))`);

    // Pending escalations carry over (one per incident: the latest armed); the rest is history.
    await q.query(`
      INSERT INTO timers (kind, key, due_at, payload)
      SELECT DISTINCT ON (incident_id) 'notifications.escalation', incident_id::text, due_at,
             jsonb_build_object('incidentId', incident_id, 'armedSeq', armed_seq)
      FROM escalation_timers WHERE status = 'armed'
      ORDER BY incident_id, armed_seq DESC
      ON CONFLICT ON CONSTRAINT timers_kind_key DO NOTHING`);
    await q.query(`DROP TABLE escalation_timers`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`
      INSERT INTO escalation_timers (incident_id, armed_seq, due_at)
      SELECT key::uuid, COALESCE((payload->>'armedSeq')::int, 0), due_at FROM timers
      WHERE kind = 'notifications.escalation' AND fired_at IS NULL`);
    await q.query(`DELETE FROM timers WHERE kind = 'notifications.escalation'`);

    await q.query(`DELETE FROM notification_jobs WHERE kind = 'message'`);
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_event_shape`);
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_message_shape`);
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_idempotency_key`);
    await q.query(`ALTER TABLE notification_jobs DROP COLUMN idempotency_key, DROP COLUMN message,
                   DROP COLUMN record_outcome, DROP COLUMN recipient_label`);
    await q.query(`ALTER TABLE notification_jobs ALTER COLUMN incident_id SET NOT NULL, ALTER COLUMN event_seq SET NOT NULL`);
    await q.query(`ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_kind_check`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_kind_check
                   CHECK (kind IN ('announce', 'update', 'direct'))`);
    await q.query(`ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_channel_check
                   CHECK (channel IN ('slack', 'email'))`);
  }
}
