import { migrations } from '../../src/migrations';
import { Client } from 'pg';
import { createDataSource, migrateUnderLock } from '../../src/platform/database/data-source';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { call, startApp } from '../support/app';

describe('migrations', () => {
  it('two instances migrating one fresh database at once take turns and apply each migration once', async () => {
    const databaseUrl = await createTestDatabase('migrate');
    const sources = [createDataSource(databaseUrl, migrations, 2), createDataSource(databaseUrl, migrations, 2), createDataSource(databaseUrl, migrations, 2)];
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const applied = await Promise.all(sources.map((s) => migrateUnderLock(s)));
      // Exactly one of them applied everything; the others found nothing to do.
      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, migrations.length]);
      const [{ count }] = await sources[0].query('SELECT count(*)::int AS count FROM schema_migrations');
      expect(count).toBe(migrations.length);
    } finally {
      await Promise.all(sources.map((s) => (s.isInitialized ? s.destroy() : undefined)));
      await dropTestDatabase(databaseUrl);
    }
  });

  it('two whole service instances starting together on one fresh database both come up ready', async () => {
    const databaseUrl = await createTestDatabase('twoboot');
    const [a, b] = await Promise.all([startApp(databaseUrl), startApp(databaseUrl)]);
    try {
      expect((await call(a.url, 'GET', '/readyz', { token: null })).status).toBe(200);
      expect((await call(b.url, 'GET', '/readyz', { token: null })).status).toBe(200);
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      const { rows } = await db.query('SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name');
      await db.end();
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await dropTestDatabase(databaseUrl);
    }
  });

  it('reverts cleanly, down to an empty schema and back up', async () => {
    const databaseUrl = await createTestDatabase('revert');
    const source = createDataSource(databaseUrl, migrations, 2);
    await source.initialize();
    try {
      await migrateUnderLock(source);
      for (let i = 0; i < migrations.length; i++) await source.undoLastMigration({ transaction: 'each' });
      const tables = await source.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`);
      expect(tables).toEqual([]);
      expect(await migrateUnderLock(source)).toHaveLength(migrations.length);
    } finally {
      await source.destroy();
      await dropTestDatabase(databaseUrl);
    }
  });
});
