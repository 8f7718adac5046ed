import { randomBytes } from 'node:crypto';
import { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually, testKafkaBrokers } from '../support/database';
import {
  createIntegration,
  entry,
  HookEndpoint,
  incidentTitled,
  ok,
  runs,
  sendAlerts,
  startAutomationApp,
  timeline,
} from './support';

/** Two instances on the Kafka transport: one automation group, each run claimed and sent once. */
describe('automations on two instances over Kafka', () => {
  let databaseUrl: string;
  const instances: TestApp[] = [];
  const hook = new HookEndpoint();

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('automations_replicas');
    await hook.start();
    const env = { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: `au${randomBytes(4).toString('hex')}.` };
    instances.push(await startAutomationApp(databaseUrl, env));
    instances.push(await startAutomationApp(databaseUrl, env));
  });
  afterAll(async () => {
    for (const i of instances) await i.close();
    await hook.stop();
    await dropTestDatabase(databaseUrl);
  });

  it('alerts sent to both instances run the automation once per occurrence and verify once', async () => {
    const [a, b] = instances;
    const key = await createIntegration(a.url, 'search');
    const created = await ok(a.url, 'POST', '/api/v1/automations', {
      name: 'Refill over Kafka',
      match: { alertnames: ['EsRefillKafka'] },
      action: { type: 'webhook', url: hook.url },
      mode: 'auto',
      verify: { within: 'PT60S', resolve: false },
    });
    hook.secret = created.secret;
    const alerts = [1, 2, 3].map((n) => ({ name: 'EsRefillKafka', instance: `es-${n}` }));
    await sendAlerts(a.url, key, 'kafka refill', alerts);
    await sendAlerts(b.url, key, 'kafka refill', alerts);
    await sendAlerts(a.url, key, 'kafka refill', alerts);
    const incident = await incidentTitled(a.url, 'kafka refill', 30_000);
    await eventually(
      async () => (await runs(a.url, incident.id)).filter((r) => r.status === 'succeeded').length === 3,
      {
        timeoutMs: 30_000,
        message: 'three succeeded runs',
      },
    );

    await sendAlerts(
      b.url,
      key,
      'kafka refill',
      alerts.map((x) => ({ ...x, status: 'resolved' as const })),
    );
    await entry(a.url, incident.id, (e) => e.type === 'automation.verified', 30_000);
    const story = await timeline(b.url, incident.id);
    expect(story.filter((e) => e.type === 'automation.started')).toHaveLength(3);
    expect(story.filter((e) => e.type === 'automation.succeeded')).toHaveLength(3);
    expect(hook.calls).toHaveLength(3);
    expect(hook.calls.every((c) => c.signatureValid)).toBe(true);
    expect(new Set(hook.calls.map((c) => c.body.run.id)).size).toBe(3);
  });
});
