import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually } from '../support/database';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// `npm start` with nothing configured: an embedded PostgreSQL the service starts and stops.
// SIGTERM must drain the service first and stop the database last, exiting 0, rather than the
// embedded database being stopped at once underneath it.
describe('embedded default: SIGTERM', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-embedded-'));
    fs.chmodSync(dataDir, 0o777); // initdb runs as postgres when the tests run as root
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `npm start` with nothing configured; `onOutput` sees everything it prints so far. */
  function startEmbedded(port: number, onOutput: (output: string) => void): Promise<number | null> {
    let output = '';
    const started = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', PORT: String(port), SITREP_DATA_DIR: dataDir },
    });
    child = started;
    const collect = (chunk: Buffer) => onOutput((output += chunk));
    started.stdout.on('data', collect);
    started.stderr.on('data', collect);
    return new Promise((resolve) => started.on('exit', (code) => resolve(code)));
  }

  it('drains the service, then stops the database, and exits 0', async () => {
    const port = await freePort();
    let output = '';
    const exited = startEmbedded(port, (all) => (output = all));

    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      { timeoutMs: 90_000, message: 'embedded service ready' },
    );
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
    // Nothing lost its database while it was still stopping.
    expect(output).not.toMatch(/lost its connection|terminating connection|shutdown failed/);
  }, 150_000);

  it('a SIGTERM while it is still booting waits for boot, then stops the database too, and exits 0', async () => {
    const port = await freePort();
    let output = '';
    let signalled = false;
    const exited = startEmbedded(port, (all) => {
      output = all;
      // The embedded database is up; migrations and the HTTP server are not yet.
      if (!signalled && output.includes('Running in embedded mode')) {
        signalled = true;
        child!.kill('SIGTERM');
      }
    });
    expect(await exited).toBe(0);
    expect(signalled).toBe(true);
    expect(output).not.toContain('listening on port');
    // The database went with it: a next start would otherwise find its data directory in use.
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 150_000);
});
