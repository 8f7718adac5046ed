import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import {
  createIntegration,
  HookEndpoint,
  incidentTitled,
  ok,
  runs,
  runThat,
  sendAlerts,
  startAutomationApp,
  timeline,
} from './support';

const ROOT = path.resolve(__dirname, '../..');

/** Runs survive a restart of the service and are never started twice. */
describe('automations across restarts', () => {
  let databaseUrl: string;
  let instance: TestApp | undefined;
  let runner: ChildProcess | undefined;
  let dir: string;
  const hook = new HookEndpoint();

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('automations_restart');
    await hook.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-scripts-'));
    fs.writeFileSync(path.join(dir, 'refill'), '#!/bin/sh\necho "refilled $SITREP_ARG_CLUSTER"\n', { mode: 0o755 });
  });
  afterAll(async () => {
    if (runner && runner.exitCode === null) {
      runner.kill('SIGKILL');
      await new Promise((r) => runner!.once('exit', r));
    }
    await instance?.close();
    await hook.stop();
    await dropTestDatabase(databaseUrl);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a runner run queued before a restart runs once on the next instance', async () => {
    instance = await startAutomationApp(databaseUrl);
    const key = await createIntegration(instance.url, 'search');
    const token = (await ok(instance.url, 'POST', '/api/v1/runners', { name: 'dc-eu-1' })).token as string;
    await ok(instance.url, 'POST', '/api/v1/automations', {
      name: 'Refill',
      match: { alertnames: ['EsRefillRestart'] },
      action: { type: 'runner', script: 'refill', args: { cluster: '{{labels.cluster}}' } },
      mode: 'auto',
    });
    await sendAlerts(instance.url, key, 'restart queued', [
      { name: 'EsRefillRestart', instance: 'es-1', labels: { cluster: 'es-prod-1' } },
    ]);
    const incident = await incidentTitled(instance.url, 'restart queued');
    await runThat(instance.url, incident.id, (r) => r.status === 'queued');
    await instance.close();

    instance = await startAutomationApp(databaseUrl);
    runner = spawn(process.execPath, ['-r', '@swc-node/register', 'src/runner.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        SITREP_URL: instance.url,
        SITREP_RUNNER_TOKEN: token,
        RUNNER_SCRIPTS_DIR: dir,
        RUNNER_POLL_MS: '100',
      },
      stdio: 'ignore',
    });
    const run = await runThat(instance.url, incident.id, (r) => r.status === 'succeeded', 90_000);
    expect(run.result).toEqual({ exitCode: 0, output: 'refilled es-prod-1\n' });
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'automation.started')).toHaveLength(1);
  });

  it('a webhook in flight at shutdown fails at once and is not sent again by the next instance', async () => {
    const key = await createIntegration(instance!.url, 'search');
    const created = await ok(instance!.url, 'POST', '/api/v1/automations', {
      name: 'Hook',
      match: { alertnames: ['EsHookRestart'] },
      action: { type: 'webhook', url: hook.url, timeout: 'PT60S' },
      mode: 'auto',
    });
    hook.secret = created.secret;
    hook.mode = 'hang';
    await sendAlerts(instance!.url, key, 'restart in flight', [{ name: 'EsHookRestart', instance: 'es-1' }]);
    const incident = await incidentTitled(instance!.url, 'restart in flight');
    await runThat(instance!.url, incident.id, () => hook.calls.length === 1);
    await instance!.close();

    hook.mode = 200;
    instance = await startAutomationApp(databaseUrl);
    const [run] = await runs(instance.url, incident.id);
    expect(run).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^the instance shut down during the request/),
    });
    // A barrier: the next instance's worker sends a newer run, and only that one.
    await sendAlerts(instance.url, key, 'restart in flight', [{ name: 'EsHookRestart', instance: 'es-2' }]);
    await runThat(instance.url, incident.id, (r) => r.status === 'succeeded');
    expect(hook.calls.map((c) => c.signatureValid)).toEqual([true, true]);
    expect(new Set(hook.calls.map((c) => c.body.run.id)).size).toBe(2);
  });
});
