import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the incident log: the incident's current state (with its version, the seq of
 * its last event), its action items, and the responders directory. The log itself
 * (`incident_events`) is the source of truth; these can be rebuilt from it.
 */
export class Incidents1764170000000 implements MigrationInterface {
  name = 'Incidents1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE incident_number_seq`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY,
        number integer NOT NULL UNIQUE,
        title text NOT NULL,
        summary text,
        status text NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'mitigated', 'resolved')),
        severity text NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
        service text,
        source text NOT NULL CHECK (source IN ('manual', 'alert')),
        group_key text,
        commander text,
        deputy text,
        scribe text,
        communications text,
        created_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        mitigated_at timestamptz,
        resolved_at timestamptz,
        last_resolved_at timestamptz,
        alerts_total integer NOT NULL DEFAULT 0,
        alerts_firing integer NOT NULL DEFAULT 0,
        notes integer NOT NULL DEFAULT 0,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX incidents_newest ON incidents (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_status_newest ON incidents (status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_service_newest ON incidents (service, created_at DESC, id DESC)`);
    // At most one open incident per alert group: two consumers can never both declare one.
    await q.query(
      `CREATE UNIQUE INDEX incidents_open_group ON incidents (group_key) WHERE group_key IS NOT NULL AND status <> 'resolved'`,
    );
    await q.query(`CREATE INDEX incidents_group_recent ON incidents (group_key, last_resolved_at DESC) WHERE group_key IS NOT NULL`);
    await q.query(`
      CREATE TABLE action_items (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL,
        title text NOT NULL,
        owner text,
        due_date date,
        status text NOT NULL CHECK (status IN ('open', 'done')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX action_items_incident ON action_items (incident_id, created_at)`);
    await q.query(`
      CREATE TABLE responders (
        handle text PRIMARY KEY,
        name text NOT NULL,
        email text,
        slack_user_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE responders');
    await q.query('DROP TABLE action_items');
    await q.query('DROP TABLE incidents');
    await q.query('DROP SEQUENCE incident_number_seq');
  }
}
