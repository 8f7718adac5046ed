import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Postmortem sections people wrote, one row per incident and section. The rest of a postmortem
 * is computed from the incident's record on every read. `version` is the postmortem version
 * (count of saves) that last wrote the row; the postmortem's version is the largest of its
 * rows. A cleared section keeps its row with an empty body, so the version never goes back.
 */
export class Postmortems1764200000000 implements MigrationInterface {
  name = 'Postmortems1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE postmortem_sections (
        incident_id uuid NOT NULL,
        name text NOT NULL,
        body text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (incident_id, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE postmortem_sections');
  }
}
