import { Client } from 'pg';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { KafkaMockBroker, startKafkaMockBroker } from '../support/kafka-broker';
import {
  alertmanagerBody,
  createIntegration,
  post,
  sendAlertmanager,
  TestIntegration,
  uniquePrefix,
  until,
} from './support';

/** Kafka goes away: ingestion answers 503 with Retry-After, quickly; what was accepted is kept. */
describe('alert ingestion when the broker stops', () => {
  let databaseUrl: string;
  let broker: KafkaMockBroker;
  let instance: TestApp;
  let db: Client;
  let am: TestIntegration;
  let events: TestIntegration;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('alerts_outage');
    broker = await startKafkaMockBroker();
    instance = await startApp(databaseUrl, { KAFKA_BROKERS: broker.brokers, KAFKA_TOPIC_PREFIX: uniquePrefix() });
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    am = await createIntegration(instance.url, 'alertmanager', 'outage alertmanager');
    events = await createIntegration(instance.url, 'pagerduty-events', 'outage events');
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await broker?.stop();
    await dropTestDatabase(databaseUrl);
  });

  it('answers 503 with Retry-After within about 3 s, stays up, reports not ready, and keeps what it accepted', async () => {
    const url = instance.url;
    const accepted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await sendAlertmanager(url, am.key, alertmanagerBody('before-outage', [{ instance: `node-${i}` }]));
      expect(res.status).toBe(202);
      accepted.push(`node-${i}`);
    }
    // The first delivery waits for the consumer group to join the mock cluster.
    await until(
      db,
      `SELECT count(*)::int AS n FROM alerts WHERE group_key = $1`,
      [`${am.id}:before-outage`],
      (r: any) => r.n === accepted.length,
      'the accepted alerts in PostgreSQL',
      20000,
    );

    await broker.stop();
    const started = Date.now();
    const refused = await sendAlertmanager(url, am.key, alertmanagerBody('during-outage', [{ instance: 'lost-1' }]));
    const elapsed = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'ALERT_INGEST_UNAVAILABLE',
    });
    expect(elapsed).toBeLessThan(3500);

    // The other ingest endpoints say the same (never a 4xx for a transient fault).
    const pd = await post(
      url,
      '/v2/enqueue',
      JSON.stringify({
        routing_key: events.key,
        event_action: 'trigger',
        payload: { summary: 's', source: 'x', severity: 'info' },
      }),
    );
    expect(pd.status).toBe(503);
    expect(pd.headers.get('retry-after')).not.toBeNull();

    expect((await call(url, 'GET', '/healthz', { token: null })).status).toBe(200);
    const ready = await call(url, 'GET', '/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(ready.body.checks.transport.status).not.toBe('ok');

    const { rows } = await db.query(
      `SELECT labels->>'instance' AS instance FROM alerts WHERE group_key = $1 ORDER BY 1`,
      [`${am.id}:before-outage`],
    );
    expect(rows.map((r) => r.instance)).toEqual(accepted);
    const metrics = (await call(url, 'GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(/sitrep_alerts_rejected_total\{source="alertmanager",reason="unavailable"\} [1-9]/);
  });
});
