import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incident numbers stop one below NUMBER_DRAWN_ON_WRITE, the value a declaration carries until
 * its statement draws the real number: a drawn number can never be mistaken for it.
 */
export class IncidentNumberLimit1764290000000 implements MigrationInterface {
  name = 'IncidentNumberLimit1764290000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER SEQUENCE incident_number_seq MAXVALUE 2147483646`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER SEQUENCE incident_number_seq NO MAXVALUE`);
  }
}
