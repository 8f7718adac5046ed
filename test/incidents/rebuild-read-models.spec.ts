import { migrations } from '../../src/migrations';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDataSource } from '../../src/platform/database/data-source';
import { rebuildReadModels } from '../../src/incidents/persistence/rebuild-read-models';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { call, startApp } from '../support/app';
import { declare } from './support';

const run = promisify(execFile);

describe('rebuilding read models from the event log', () => {
  it('reproduces the incidents and action_items tables exactly, and reports drift', async () => {
    const databaseUrl = await createTestDatabase('rebuild');
    const instance = await startApp(databaseUrl);
    const db = createDataSource(databaseUrl, migrations, 2);
    try {
      const url = instance.url;
      for (let i = 0; i < 5; i++) {
        const inc = await declare(url, { title: `incident ${i}`, severity: `SEV${(i % 4) + 1}`, commander: i % 2 ? 'alice' : undefined });
        await call(url, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, { body: { note: 'looking' } });
        await call(url, 'PUT', `/api/v1/incidents/${inc.id}/roles/deputy`, { body: { assignee: 'bob' } });
        await call(url, 'DELETE', `/api/v1/incidents/${inc.id}/roles/commander`);
        await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: { text: 'note', pinned: i % 2 === 0 } });
        const item = await call(url, 'POST', `/api/v1/incidents/${inc.id}/action-items`, { body: { title: 'fix', owner: 'carol', dueDate: '2027-01-0' + (i + 1) } });
        await call(url, 'PATCH', `/api/v1/incidents/${inc.id}/action-items/${item.body.id}`, { body: { status: 'done', dueDate: null } });
        await call(url, 'PATCH', `/api/v1/incidents/${inc.id}`, { body: { severity: 'SEV1', summary: 'worse' } });
        if (i % 2) await call(url, 'POST', `/api/v1/incidents/${inc.id}/resolve`);
        if (i === 3) await call(url, 'POST', `/api/v1/incidents/${inc.id}/reopen`);
      }
      await db.initialize();
      const dump = async () => ({
        incidents: await db.query(`SELECT * FROM incidents ORDER BY id`),
        actionItems: await db.query(`SELECT * FROM action_items ORDER BY id`),
      });
      const before = await dump();

      const clean = await rebuildReadModels(db, { apply: false });
      expect(clean).toMatchObject({ incidents: 5, differences: [] });
      expect(clean.events).toBeGreaterThan(40);

      await db.query(`UPDATE incidents SET title = 'tampered', alerts_firing = 7 WHERE number = (SELECT min(number) FROM incidents)`);
      await db.query(`DELETE FROM action_items WHERE id = (SELECT min(id::text)::uuid FROM action_items)`);
      const drift = await rebuildReadModels(db, { apply: false });
      expect(drift.differences.map((d) => `${d.table}.${d.field.replace(/^[0-9a-f-]{36}\./, '')}`).sort()).toEqual([
        'action_items.row',
        'incidents.alerts_firing',
        'incidents.title',
      ]);

      const fixed = await rebuildReadModels(db, { apply: true });
      expect(fixed.applied).toBe(true);
      expect(await dump()).toEqual(before);

      // The npm script reports the same, from the command line.
      const { stdout } = await run('node', ['-r', '@swc-node/register', 'src/incidents/rebuild-read-models.cli.ts', '--check'], {
        env: { ...process.env, DATABASE_URL: databaseUrl },
        cwd: `${__dirname}/../..`,
      });
      expect(stdout).toContain('5 incidents');
      expect(stdout).toContain('0 differences');
    } finally {
      if (db.isInitialized) await db.destroy();
      await instance.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
