import { randomUUID } from 'node:crypto';
import { migrations } from '../../src/migrations';
import { MessageJobs1764210000001 } from '../../src/notifications/persistence/migrations/1764210000001-message-jobs';
import { createDataSource, migrateUnderLock } from '../../src/platform/database/data-source';
import { createTestDatabase, dropTestDatabase } from '../support/database';

describe('upgrade: escalation timers move to the one timer table', () => {
  it('carries every armed escalation over (the latest per incident), drops fired and cancelled ones, and reverts', async () => {
    const databaseUrl = await createTestDatabase('escalation_move');
    const before = migrations.slice(0, migrations.indexOf(MessageJobs1764210000001));
    const old = createDataSource(databaseUrl, before, 2);
    await old.initialize();
    const [armed, rearmed, fired, cancelled] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    try {
      await migrateUnderLock(old);
      await old.query(
        `INSERT INTO escalation_timers (incident_id, armed_seq, due_at, status) VALUES
           ($1, 1, '2030-01-01T00:05:00Z', 'armed'),
           ($2, 1, '2030-01-01T00:05:00Z', 'cancelled'),
           ($2, 7, '2030-01-01T01:05:00Z', 'armed'),
           ($3, 1, '2020-01-01T00:05:00Z', 'fired'),
           ($4, 1, '2030-01-01T00:05:00Z', 'cancelled')`,
        [armed, rearmed, fired, cancelled],
      );
    } finally {
      await old.destroy();
    }

    const current = createDataSource(databaseUrl, migrations, 2);
    await current.initialize();
    try {
      await migrateUnderLock(current);
      const moved = await current.query(
        `SELECT key, due_at, payload, fired_at FROM timers WHERE kind = 'notifications.escalation' ORDER BY due_at`,
      );
      expect(moved).toEqual([
        { key: armed, due_at: new Date('2030-01-01T00:05:00Z'), payload: { incidentId: armed, armedSeq: 1 }, fired_at: null },
        { key: rearmed, due_at: new Date('2030-01-01T01:05:00Z'), payload: { incidentId: rearmed, armedSeq: 7 }, fired_at: null },
      ]);
      expect(await current.query(`SELECT to_regclass('escalation_timers') AS t`)).toEqual([{ t: null }]);

      // Reverting the move puts the pending ones back.
      const after = migrations.length - migrations.indexOf(MessageJobs1764210000001);
      for (let i = 0; i < after; i++) await current.undoLastMigration({ transaction: 'each' });
      const back = await current.query(`SELECT incident_id, armed_seq, status FROM escalation_timers ORDER BY due_at`);
      expect(back).toEqual([
        { incident_id: armed, armed_seq: 1, status: 'armed' },
        { incident_id: rearmed, armed_seq: 7, status: 'armed' },
      ]);
    } finally {
      await current.destroy();
      await dropTestDatabase(databaseUrl);
    }
  });
});
