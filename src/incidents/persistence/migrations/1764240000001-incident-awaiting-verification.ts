import { MigrationInterface, QueryRunner } from 'typeorm';

/** Automation runs whose verdict will resolve the incident (derived from `automation.*` events). */
export class IncidentAwaitingVerification1764240000001 implements MigrationInterface {
  name = 'IncidentAwaitingVerification1764240000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents ADD COLUMN awaiting_verification text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents DROP COLUMN awaiting_verification`);
  }
}
