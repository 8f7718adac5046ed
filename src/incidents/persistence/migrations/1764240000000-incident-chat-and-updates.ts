import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incident read model learns its Slack channel and when its last stakeholder status update
 * was posted (both derived from the log: `incident.chat_linked`, `incident.status_update`).
 */
export class IncidentChatAndUpdates1764240000000 implements MigrationInterface {
  name = 'IncidentChatAndUpdates1764240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN chat_channel_id text,
        ADD COLUMN chat_channel_name text,
        ADD COLUMN last_status_update_at timestamptz`);
    await q.query(`CREATE UNIQUE INDEX incidents_chat_channel ON incidents (chat_channel_id) WHERE chat_channel_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX incidents_chat_channel`);
    await q.query(`ALTER TABLE incidents DROP COLUMN chat_channel_id, DROP COLUMN chat_channel_name, DROP COLUMN last_status_update_at`);
  }
}
