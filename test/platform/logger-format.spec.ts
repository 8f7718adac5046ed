import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';

/**
 * The real entry point (src/main.ts) decides its log format from where stdout goes: JSON into
 * a pipe (what a log shipper or `docker logs` reads), pretty lines at a terminal (a developer's
 * `npm start`). The terminal is a real pseudo-terminal from util-linux `script`.
 */
const ROOT = path.resolve(__dirname, '../..');
const ADMIN_TOKEN = 'admin-token-that-must-never-be-logged-7c1e';
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Running {
  const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function serviceEnv(databaseUrl: string): Record<string, string> {
  return { DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'info', SITREP_ADMIN_TOKEN: ADMIN_TOKEN };
}

/**
 * Waits for the service to say it listens (compiling the service from source on a busy machine
 * can take a while); on a timeout, shows what it said instead.
 */
async function listening(running: Running): Promise<void> {
  try {
    await eventually(() => running.output().includes('Sitrep listening'), { timeoutMs: 90000, message: 'the listening line' });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the service wrote:\n${running.output()}`, { cause: error });
  }
}

const MAIN = [process.execPath, '-r', '@swc-node/register', 'src/main.ts'];

describe('log format of the running service', () => {
  let databaseUrl: string;
  let running: Running | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('logger_format');
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
  });
  afterAll(async () => {
    await dropTestDatabase(databaseUrl);
  });

  it('writes JSON lines when stdout is a pipe, with no secret in them', async () => {
    running = run(MAIN[0], MAIN.slice(1), serviceEnv(databaseUrl));
    await listening(running);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    const lines = running.output().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.find((e) => e.msg.startsWith('Sitrep listening'))).toMatchObject({ level: 30, service: 'sitrep', port: 0 });
    expect(entries.find((e) => e.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(running.output()).not.toContain(ADMIN_TOKEN);
  }, 120000);

  it('writes coloured human lines at a terminal, and Ctrl-C there stops it cleanly', async () => {
    expect(spawnSync('script', ['--version']).status).toBe(0); // util-linux; .ci/run installs it when missing
    const command = MAIN.map((part) => `'${part}'`).join(' ');
    running = run('script', ['-qfec', `exec ${command}`, '/dev/null'], { ...serviceEnv(databaseUrl), TERM: 'xterm-256color' });
    await listening(running);
    running.child.stdin!.write('\x03'); // Ctrl-C: the terminal sends SIGINT to the service
    expect(await running.exited).toBe(0);

    const output = running.output();
    expect(output).toMatch(new RegExp(`${ESC}\\[3\\dmINFO`)); // level in colour
    const lines = output
      .replace(ANSI, '')
      .split(/\r?\n/)
      .map((line) => line.replace(/^\^C/, '')) // the terminal echoes the Ctrl-C
      .filter((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] /.test(line));
    expect(lines.find((line) => line.includes('Sitrep listening'))).toMatch(/^\[[\d:.]+\] INFO: Sitrep listening on port 0$/);
    expect(lines.find((line) => line.includes('[NestApplication]'))).toMatch(/INFO: \[NestApplication\] /);
    expect(lines.some((line) => line.endsWith('INFO: shutting down'))).toBe(true);
    for (const line of output.split(/\r?\n/)) expect(line.startsWith('{')).toBe(false);
    expect(output).not.toContain(ADMIN_TOKEN);
  }, 120000);
});
