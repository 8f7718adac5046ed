import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-through. `followup_action_items` is the one list across everything: standalone items
 * (a meeting's list) are owned here; an incident's items are a projection of its
 * `action_item.*` events (the aggregate stays their source of truth), written through by the
 * request that made them and then by the event consumer, whichever comes first.
 * `source_seq` is the incident event last applied to a projected row (redeliveries at or below
 * it change nothing). `followup_digests` is "this owner got the digest of that day", so the
 * digest goes out at most once per owner and day across restarts and instances.
 * `followup_cadence` is what the cadence needs of each incident: its severity, whether it is
 * open, and since when the clock runs (declaration, last status update or reopen).
 */
export class Followups1764260000000 implements MigrationInterface {
  name = 'Followups1764260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE followup_action_items (
        id uuid PRIMARY KEY,
        incident_id uuid,
        title text NOT NULL,
        owner text,
        due_date date,
        status text NOT NULL CHECK (status IN ('open', 'done')),
        tags text[] NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        source_seq integer
      )`);
    // Soonest due first, undated last, then by id: the list's keyset order.
    await q.query(
      `CREATE INDEX followup_action_items_by_due ON followup_action_items (COALESCE(due_date, 'infinity'::date), id)`,
    );
    await q.query(
      `CREATE INDEX followup_action_items_open_by_owner ON followup_action_items (owner, due_date) WHERE status = 'open'`,
    );
    await q.query(`CREATE INDEX followup_action_items_by_incident ON followup_action_items (incident_id) WHERE incident_id IS NOT NULL`);
    await q.query(`CREATE INDEX followup_action_items_by_tag ON followup_action_items USING gin (tags)`);
    await q.query(`
      CREATE TABLE followup_digests (
        day date NOT NULL,
        owner text NOT NULL,
        items integer NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (day, owner)
      )`);
    await q.query(`
      CREATE TABLE followup_cadence (
        incident_id uuid PRIMARY KEY,
        last_seq integer NOT NULL,
        severity text NOT NULL,
        open boolean NOT NULL,
        since timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE followup_cadence`);
    await q.query(`DROP TABLE followup_digests`);
    await q.query(`DROP TABLE followup_action_items`);
  }
}
