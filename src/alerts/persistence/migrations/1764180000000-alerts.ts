import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert ingestion: every alert occurrence (one firing of one alert, keyed by integration and
 * occurrence), the PagerDuty deliveries already applied (redeliveries change nothing), and
 * change events (deploys) that incidents of the same service are correlated with.
 */
export class Alerts1764180000000 implements MigrationInterface {
  name = 'Alerts1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY,
        integration_id uuid NOT NULL,
        source text NOT NULL,
        identity text NOT NULL,
        occurrence text NOT NULL,
        group_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        severity text NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
        summary text NOT NULL,
        description text,
        runbook_url text,
        generator_url text,
        service text,
        labels jsonb NOT NULL DEFAULT '{}',
        annotations jsonb NOT NULL DEFAULT '{}',
        links jsonb NOT NULL DEFAULT '[]',
        details jsonb NOT NULL DEFAULT '{}',
        delivery jsonb NOT NULL DEFAULT '{}',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        incident_id uuid,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        resolved_at timestamptz,
        CONSTRAINT alerts_occurrence UNIQUE (integration_id, occurrence)
      )`);
    await q.query(
      `CREATE INDEX alerts_incident ON alerts (incident_id, first_seen_at, id) WHERE incident_id IS NOT NULL`,
    );
    // Events API acknowledge / resolve name the alert by dedup_key: the latest occurrence of it.
    await q.query(
      `CREATE INDEX alerts_events_identity ON alerts (integration_id, identity, first_seen_at DESC) WHERE source = 'pagerduty-events'`,
    );
    await q.query(`
      CREATE TABLE processed_deliveries (
        integration_id uuid NOT NULL,
        delivery_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (integration_id, delivery_id)
      )`);
    await q.query(`CREATE INDEX processed_deliveries_age ON processed_deliveries (processed_at)`);
    await q.query(`
      CREATE TABLE changes (
        id uuid PRIMARY KEY,
        integration_id uuid NOT NULL,
        service text,
        summary text NOT NULL,
        source text,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        links jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`CREATE INDEX changes_service_time ON changes (service, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE changes');
    await q.query('DROP TABLE processed_deliveries');
    await q.query('DROP TABLE alerts');
  }
}
