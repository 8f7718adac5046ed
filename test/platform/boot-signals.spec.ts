import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/platform/database/data-source';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';

// A boot that cannot finish (here: another instance holds the migration lock) waits for a first
// signal to end boot, but a second one stops the process at once.
describe('signals while booting', () => {
  it('a first SIGTERM waits for boot, a second one exits at once (143)', async () => {
    const databaseUrl = await createTestDatabase('boot_signals');
    const holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      let output = '';
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
      });
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        // Boot is stuck behind the lock: the service's session waits for it.
        await eventually(
          async () =>
            (
              await holder.query(
                `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              )
            ).rowCount === 1,
          { timeoutMs: 60_000, message: 'boot waiting for the migration lock' },
        );
        child.kill('SIGTERM');
        await eventually(() => output.includes('stopping once boot ends'), { message: 'first signal noted' });
        expect(child.exitCode).toBeNull();
        child.kill('SIGTERM');
        expect(await exited).toBe(143);
        expect(output).toContain('second signal while booting');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      await holder.end();
      await dropTestDatabase(databaseUrl);
    }
  }, 90_000);
});
