// npm run rebuild-read-models [-- --check]: replays incident_events into the read models.
import { migrations } from '../migrations';
import 'reflect-metadata';
import { createDataSource } from '../platform/database/data-source';
import { rebuildReadModels } from './persistence/rebuild-read-models';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL must be set\n');
    process.exit(78);
  }
  const apply = !process.argv.includes('--check');
  const db = createDataSource(url, migrations, 2);
  await db.initialize();
  try {
    const report = await rebuildReadModels(db, { apply });
    for (const d of report.differences.slice(0, 200)) {
      process.stdout.write(`${d.incidentId} ${d.table}.${d.field}: stored ${JSON.stringify(d.stored)}, events say ${JSON.stringify(d.fromEvents)}\n`);
    }
    process.stdout.write(
      `${report.incidents} incidents, ${report.events} events replayed; ${report.differences.length} differences; ${apply ? 'read models rewritten' : 'check only, nothing written'}\n`,
    );
    process.exitCode = report.differences.length && !apply ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

void main();
