import { DataSource } from 'typeorm';
import { AfterCommit } from '../../../src/platform/database/after-commit';
import { createTestDatabase, dropTestDatabase } from '../../support/database';

describe('AfterCommit', () => {
  let databaseUrl: string;
  let db: DataSource;
  let afterCommit: AfterCommit;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('after_commit');
    db = await new DataSource({ type: 'postgres', url: databaseUrl }).initialize();
    afterCommit = new AfterCommit(db);
  });
  afterAll(async () => {
    afterCommit?.detach();
    await db?.destroy();
    await dropTestDatabase(databaseUrl);
  });

  it('runs each callback once per commit, however often a transaction registered it', async () => {
    const calls: string[] = [];
    const wake = () => calls.push('wake');
    const other = () => calls.push('other');
    await db.transaction(async (tx) => {
      afterCommit.run(tx, wake);
      await tx.query('SELECT 1');
      afterCommit.run(tx, wake); // a second append in the same transaction
      afterCommit.run(tx, other);
      expect(calls).toEqual([]); // nothing before the commit
    });
    expect(calls).toEqual(['wake', 'other']);

    await db.transaction(async (tx) => afterCommit.run(tx, wake));
    expect(calls).toEqual(['wake', 'other', 'wake']);
  });

  it('drops the callbacks of a rolled-back transaction and runs at once outside one', async () => {
    const calls: string[] = [];
    const wake = () => calls.push('wake');
    await expect(
      db.transaction(async (tx) => {
        afterCommit.run(tx, wake);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(calls).toEqual([]);
    afterCommit.run(undefined, wake);
    expect(calls).toEqual(['wake']);
  });
});
