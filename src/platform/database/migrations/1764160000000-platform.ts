import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform tables: API tokens, alert-source integrations, the incident event log (which is
 * also the outbox), and the durable log behind the in-process transport.
 */
export class Platform1764160000000 implements MigrationInterface {
  name = 'Platform1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE integrations (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('alertmanager', 'pagerduty-webhook', 'pagerduty-events')),
        name text NOT NULL,
        service text,
        key_hash bytea NOT NULL UNIQUE,
        signing_secret text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The event log: one row per state change of an incident, seq gapless per incident.
    // Rows with published = false are the outbox that the relay ships to the transport.
    await q.query(`
      CREATE TABLE incident_events (
        position bigserial UNIQUE,
        incident_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 1),
        type text NOT NULL,
        actor text NOT NULL,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        published boolean NOT NULL DEFAULT false,
        PRIMARY KEY (incident_id, seq)
      )`);
    await q.query(`CREATE INDEX incident_events_unpublished ON incident_events (position) WHERE NOT published`);
    await q.query(`
      CREATE TABLE transport_messages (
        "offset" bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text,
        value bytea NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX transport_messages_topic ON transport_messages (topic, "offset")`);
    await q.query(`
      CREATE TABLE transport_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        "offset" bigint NOT NULL,
        PRIMARY KEY (group_id, topic)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE transport_offsets');
    await q.query('DROP TABLE transport_messages');
    await q.query('DROP TABLE incident_events');
    await q.query('DROP TABLE integrations');
    await q.query('DROP TABLE api_tokens');
  }
}
