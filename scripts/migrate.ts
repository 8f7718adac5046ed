// `npm run migration:run`: applies pending migrations exactly as start-up does — the list in
// src/migrations.ts, one transaction per migration, under the same PostgreSQL advisory lock —
// so running it while instances start (or twice at once) applies each migration once.
import 'reflect-metadata';
import { migrations } from '../src/migrations';
import { createDataSource, migrateUnderLock } from '../src/platform/database/data-source';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL must be set, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/sitrep npm run migration:run\n');
    process.exit(64);
  }
  const dataSource = createDataSource(url, migrations, 2);
  await dataSource.initialize();
  try {
    const applied = await migrateUnderLock(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply: the database is up to date\n');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
