import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import {
  createIntegration,
  entry,
  incidentTitled,
  ok,
  runs,
  runThat,
  sendAlerts,
  startAutomationApp,
  timeline,
} from './support';

const ROOT = path.resolve(__dirname, '../..');

interface RunnerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The real runner entry point (src/runner.ts) as its own process. */
function startRunner(env: Record<string, string>): RunnerProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/runner.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', RUNNER_POLL_MS: '100', RUNNER_LEASE_SECONDS: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function script(dir: string, name: string, body: string, mode = 0o755): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode });
}

/** Runner actions end to end: a real runner process, a scripts directory in a temp folder. */
describe('automations: the runner', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let key: string;
  let token: string;
  let dir: string;
  let work: string;
  const runners: RunnerProcess[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('automations_runner');
    instance = await startAutomationApp(databaseUrl);
    url = instance.url;
    key = await createIntegration(url, 'search');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-scripts-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-work-'));
    script(
      dir,
      'es-refill-indexes',
      'echo "refilling indexes on $SITREP_ARG_CLUSTER"\necho "$SITREP_ARG_CLUSTER" >> "$SITREP_ARG_LOG"\nenv',
    );
    script(dir, 'echo-value', 'printf "%s" "$SITREP_ARG_VALUE"');
    script(dir, 'cannot-reach', 'echo "cannot reach the cluster" >&2\nexit 3');
    script(dir, 'not-executable', 'echo never', 0o644);
    script(dir, 'slow', 'echo $$ > "$SITREP_ARG_PIDFILE"\necho started >> "$SITREP_ARG_LOG"\nexec sleep 60');
    script(dir, 'too-slow', 'sleep 20');
    const created = await ok(url, 'POST', '/api/v1/runners', { name: 'dc-eu-1' });
    expect(created).toEqual({ id: expect.any(String), name: 'dc-eu-1', token: expect.stringMatching(/^srp_/) });
    token = created.token;
    expect(JSON.stringify(await ok(url, 'GET', '/api/v1/runners'))).not.toContain(token);
    runners.push(startRunner({ SITREP_URL: url, SITREP_RUNNER_TOKEN: token, RUNNER_SCRIPTS_DIR: dir }));
  });
  afterAll(async () => {
    if (process.env.DEBUG_RUNNER) for (const r of runners) console.log(r.output());
    for (const r of runners) {
      if (r.child.exitCode === null) r.child.kill('SIGKILL');
      await r.exited;
    }
    const pidFile = path.join(work, 'slow.pid');
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await instance?.close();
    await dropTestDatabase(databaseUrl);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function automation(alertname: string, action: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return ok(url, 'POST', '/api/v1/automations', {
      name: `Run ${alertname}`,
      match: { alertnames: [alertname] },
      action: { type: 'runner', ...action },
      mode: 'auto',
      ...extra,
    });
  }
  const fire = (title: string, name: string, labels: Record<string, string> = {}, status?: 'resolved') =>
    sendAlerts(url, key, title, [{ name, instance: 'es-data-7', labels, ...(status ? { status } : {}) }]);
  const failedRun = (incidentId: string) => runThat(url, incidentId, (r) => r.status === 'failed', 60_000);

  it('runs the script with the label as an argument, reports exit 0 and output, then verifies', async () => {
    const log = path.join(work, 'refill.log');
    const a = await automation(
      'EsIndexRefill',
      { script: 'es-refill-indexes', args: { cluster: '{{labels.cluster}}', log } },
      { verify: { within: 'PT60S', resolve: true } },
    );
    await fire('3:21 reindex', 'EsIndexRefill', { cluster: 'es-prod-1' });
    const incident = await incidentTitled(url, '3:21 reindex');
    const run = await runThat(url, incident.id, (r) => r.status === 'succeeded', 90_000);
    expect(run.result.exitCode).toBe(0);
    expect(run.result.output).toContain('refilling indexes on es-prod-1');
    expect(run.result.output).toContain('SITREP_ARG_CLUSTER=es-prod-1');
    // The script's environment is built from scratch: the runner's token never reaches it.
    expect(run.result.output).not.toContain(token);
    expect(run.result.output).not.toContain('SITREP_RUNNER_TOKEN');
    expect(fs.readFileSync(log, 'utf8')).toBe('es-prod-1\n');
    await fire('3:21 reindex', 'EsIndexRefill', { cluster: 'es-prod-1' }, 'resolved');
    const verified = await entry(url, incident.id, (e) => e.type === 'automation.verified');
    expect(verified.data).toMatchObject({ automationId: a.id, runId: run.id });
    expect(runners[0].output()).not.toContain(token);
  });

  it('keeps shell metacharacters in a label inert: the value arrives as text', async () => {
    const canary = path.join(work, 'pwned');
    const evil = `x; touch ${canary}; $(touch ${canary}) \`touch ${canary}\` | rm -rf / &`;
    await automation('EvilLabel', { script: 'echo-value', args: { value: '{{labels.target}}' } });
    await fire('evil label', 'EvilLabel', { target: evil });
    const incident = await incidentTitled(url, 'evil label');
    const run = await runThat(url, incident.id, (r) => r.status === 'succeeded', 60_000);
    expect(run.result.output).toBe(evil);
    expect(fs.existsSync(canary)).toBe(false);
  });

  it('fails the run on a non-zero exit, an unknown or non-executable script, and a timeout', async () => {
    await automation('CannotReach', { script: 'cannot-reach' });
    await fire('non-zero', 'CannotReach');
    const i1 = await incidentTitled(url, 'non-zero');
    const r1 = await failedRun(i1.id);
    expect(r1).toMatchObject({ reason: 'exit code 3', result: { exitCode: 3, output: 'cannot reach the cluster\n' } });
    expect((await entry(url, i1.id, (e) => e.type === 'automation.failed')).data.reason).toBe('exit code 3');

    await automation('Unknown', { script: 'no-such-script' });
    await fire('unknown script', 'Unknown');
    const i2 = await incidentTitled(url, 'unknown script');
    expect((await failedRun(i2.id)).reason).toBe(
      'script "no-such-script" not found in the runner\'s scripts directory',
    );

    await automation('NotExec', { script: 'not-executable' });
    await fire('not executable', 'NotExec');
    const i3 = await incidentTitled(url, 'not executable');
    expect((await failedRun(i3.id)).reason).toBe('script "not-executable" is not executable');

    await automation('TooSlow', { script: 'too-slow', timeout: 'PT1S' });
    await fire('too slow', 'TooSlow');
    const i4 = await incidentTitled(url, 'too slow');
    expect((await failedRun(i4.id)).reason).toBe('timed out after 1s');
  });

  it('refuses a runner token it did not issue, and one an admin revoked', async () => {
    const claim = (t: string) =>
      fetch(`${url}/api/v1/runner/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await claim('srp_forged')).status).toBe(401);
    const spare = await ok(url, 'POST', '/api/v1/runners', { name: 'spare' });
    expect((await claim(spare.token)).status).toBe(204);
    const viewer = (await ok(url, 'POST', '/api/v1/tokens', { name: 'looker', role: 'viewer' })).token;
    expect((await call(url, 'DELETE', `/api/v1/runners/${spare.id}`, { token: viewer })).status).toBe(403);
    expect((await call(url, 'DELETE', `/api/v1/runners/${spare.id}`)).status).toBe(204);
    expect((await claim(spare.token)).status).toBe(401);
    expect((await ok(url, 'GET', '/api/v1/runners')).items.map((r: any) => r.name)).toEqual(['dc-eu-1']);
  });

  it('a runner killed mid-run: the run fails after its lease and is never run again', async () => {
    const log = path.join(work, 'slow.log');
    await automation('SlowReindex', { script: 'slow', args: { log, pidfile: path.join(work, 'slow.pid') } });
    await fire('killed runner', 'SlowReindex');
    const incident = await incidentTitled(url, 'killed runner');
    await runThat(url, incident.id, (r) => r.status === 'running', 60_000);
    await eventually(() => fs.existsSync(log), { timeoutMs: 30_000, message: 'the script to start' });
    runners[0].child.kill('SIGKILL');
    await runners[0].exited;

    const failed = await failedRun(incident.id);
    expect(failed.reason).toMatch(/^lease expired: the runner stopped reporting/);
    expect((await timeline(url, incident.id)).filter((e) => e.type === 'automation.started')).toHaveLength(1);

    // A new runner takes the next run, not the failed one.
    runners.push(startRunner({ SITREP_URL: url, SITREP_RUNNER_TOKEN: token, RUNNER_SCRIPTS_DIR: dir }));
    await automation('AfterKill', { script: 'echo-value', args: { value: 'next' } });
    await fire('after kill', 'AfterKill');
    const next = await incidentTitled(url, 'after kill');
    await runThat(url, next.id, (r) => r.status === 'succeeded', 90_000);
    expect(fs.readFileSync(log, 'utf8')).toBe('started\n');
    expect((await runs(url, incident.id)).map((r) => r.status)).toEqual(['failed']);
  });
});
