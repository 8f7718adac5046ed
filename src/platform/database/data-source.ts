import * as path from 'node:path';
import { DataSource, DataSourceOptions, MigrationInterface } from 'typeorm';

export const ENTITY_GLOB = path.join(__dirname, '..', '..', '**', '*.entity.{js,ts}');

export type Migrations = Array<new () => MigrationInterface>;

export function dataSourceOptions(url: string, migrations: Migrations, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [ENTITY_GLOB],
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5000,
      // Keep a dead database from hanging a request forever.
      statement_timeout: 30000,
      application_name: 'sitrep',
    },
  };
}

export function createDataSource(url: string, migrations: Migrations, poolSize?: number): DataSource {
  return new DataSource(dataSourceOptions(url, migrations, poolSize));
}

/** A fixed key in PostgreSQL's advisory lock space: "sitrep migrations". */
export const MIGRATION_LOCK_KEY = 0x5175_7265;

/**
 * Runs pending migrations while holding a session advisory lock, so that instances starting
 * together take turns: the first migrates, the others then find nothing to do.
 */
export async function migrateUnderLock(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
