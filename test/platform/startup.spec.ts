import { spawn } from 'node:child_process';
import * as path from 'node:path';

function startMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => (stdout += c));
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('start-up with a bad environment', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS'],
    [{ SMTP_URL: '::nope' }, 'SMTP_URL'],
    [{ NOTIFY_RULES_FILE: '/nonexistent/rules.json' }, 'NOTIFY_RULES_FILE'],
    [{ UPDATE_CADENCE: 'SEV1=soon' }, 'UPDATE_CADENCE'],
  ])('stops with exit code 78 and one clear line naming the variable (%j)', async (env, variable) => {
    const { code, stderr, stdout } = await startMain(env);
    expect(code).toBe(78);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(stdout).toBe('');
  });
});
