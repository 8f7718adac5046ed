import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chatops: Slack requests already applied (retries change nothing twice); what chatops knows
 * of each incident (its number and channel, for `#42` and "the incident of this channel");
 * durable Slack jobs (channel creation, invites, pins, button clicks) unique per incident, kind and key; the
 * `/incident declare` replies that wait for the incident's channel.
 */
export class Chatops1764230000000 implements MigrationInterface {
  name = 'Chatops1764230000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_requests (
        kind text NOT NULL CHECK (kind IN ('command', 'interaction', 'event')),
        request_key text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, request_key)
      )`);
    await q.query(`CREATE INDEX slack_requests_received ON slack_requests (received_at)`);
    await q.query(`
      CREATE TABLE chat_incidents (
        incident_id uuid PRIMARY KEY,
        incident_number int NOT NULL,
        title text NOT NULL,
        severity text NOT NULL,
        commander text,
        deputy text,
        last_seq int NOT NULL,
        channel_wanted boolean NOT NULL DEFAULT false,
        channel_id text,
        channel_name text,
        linked_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX chat_incidents_number ON chat_incidents (incident_number)`);
    await q.query(`CREATE UNIQUE INDEX chat_incidents_channel ON chat_incidents (channel_id) WHERE channel_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE chat_jobs (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('create_channel', 'invite', 'pin', 'click')),
        job_key text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        due_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        progress jsonb NOT NULL DEFAULT '{}',
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT chat_jobs_once UNIQUE (incident_id, kind, job_key)
      )`);
    await q.query(`CREATE INDEX chat_jobs_due ON chat_jobs (due_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE chat_declare_replies (
        incident_id uuid PRIMARY KEY,
        response_url text NOT NULL,
        expires_at timestamptz NOT NULL,
        sent_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE chat_declare_replies');
    await q.query('DROP TABLE chat_jobs');
    await q.query('DROP TABLE chat_incidents');
    await q.query('DROP TABLE slack_requests');
  }
}
