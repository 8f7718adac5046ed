import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Responders gain a phone (E.164, for SMS and voice pages) and notification rules
 * (`[{after, method}]`, ISO 8601 delays): how a paged person is reached, and when.
 */
export class ResponderContactMethods1764250000000 implements MigrationInterface {
  name = 'ResponderContactMethods1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responders ADD COLUMN phone text`);
    await q.query(`ALTER TABLE responders ADD COLUMN notification_rules jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responders DROP COLUMN notification_rules`);
    await q.query(`ALTER TABLE responders DROP COLUMN phone`);
  }
}
