import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { call, startApp } from '../support/app';

describe('graceful shutdown', () => {
  it('finishes requests already in flight, keeps what it acknowledged, and releases its resources', async () => {
    const databaseUrl = await createTestDatabase('shutdown');
    const instance = await startApp(databaseUrl);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const inFlight = Array.from({ length: 200 }, (_, i) =>
        call(instance.url, 'POST', '/api/v1/incidents', { body: { title: `in flight ${i}`, severity: 'SEV3' } }).catch(
          (error: Error) => ({ status: 0, body: undefined, error }),
        ),
      );
      // Shut down as soon as the server is demonstrably in the middle of the work.
      await eventually(async () => (await db.query(`SELECT 1 FROM incidents LIMIT 1`)).rowCount, { intervalMs: 1 });
      const closing = instance.close();
      const responses = await Promise.all(inFlight);
      await closing;

      const created = responses.filter((r) => r.status === 201).map((r: any) => r.body.id);
      // Some requests were under way when close() began; they must have been answered, not cut.
      expect(created.length).toBeGreaterThan(0);
      expect(responses.every((r) => r.status === 201 || r.status === 503 || r.status === 0)).toBe(true);
      // Every request the service committed was answered 201: none was cut off mid-flight.
      const { rows } = await db.query(`SELECT id FROM incidents`);
      expect(rows.map((r) => r.id).sort()).toEqual([...created].sort());
      // Nothing of this instance is still connected to the database.
      await eventually(
        async () =>
          (
            await db.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
            )
          ).rowCount === 0,
        { message: 'no sessions left' },
      );
      // Its relay let go of the outbox lock: every acknowledged event got published or waits for the next leader.
      const { rows: locks } = await db.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(locks[0].n).toBe(0);
    } finally {
      await db.end();
      await dropTestDatabase(databaseUrl);
    }
  });
});
