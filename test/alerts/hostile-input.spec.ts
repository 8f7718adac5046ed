import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, testKafkaBrokers } from '../support/database';
import {
  alertmanagerBody,
  alertRows,
  createIntegration,
  fixture,
  post,
  sendAlertmanager,
  sign,
  TestIntegration,
  uniquePrefix,
  until,
} from './support';

/**
 * Embedded mode (the in-process transport over PostgreSQL) and bodies built to hurt: none may
 * answer 500, and none that is accepted may jam the consumer.
 */
describe('alert ingestion in embedded mode, with hostile input', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let db: Client;
  let am: TestIntegration;
  let events: TestIntegration;
  const statuses: number[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('alerts_hostile');
    instance = await startApp(databaseUrl);
    url = instance.url;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    am = await createIntegration(url, 'alertmanager', 'hostile alertmanager');
    events = await createIntegration(url, 'pagerduty-events', 'hostile events');
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });
  afterEach(() => {
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  async function send(body: Buffer | string | object, integration = am) {
    const res = await sendAlertmanager(url, integration.key, body);
    statuses.push(res.status);
    return res;
  }

  const incidentOf = (groupKey: string, message: string) =>
    until(
      db,
      `SELECT * FROM incidents WHERE group_key = $1`,
      [`${am.id}:${groupKey}`],
      (r: any) => r.alerts_total >= 1,
      message,
    );

  it('lands an alert through the in-process transport (PostgreSQL commit before the 202)', async () => {
    expect(instance.config.kafka).toBeUndefined();
    const res = await send(fixture('alertmanager/firing-single.json'));
    expect(res.status).toBe(202);
    // Durable before the answer: the record is in the transport's log already.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM transport_messages WHERE topic LIKE '%alerts'`);
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
    const incident = await incidentOf(
      JSON.parse(fixture('alertmanager/firing-single.json').toString()).groupKey,
      'the embedded alert',
    );
    expect(incident).toMatchObject({ severity: 'SEV1', status: 'triggered', alerts_total: 1 });
  });

  it('keeps a 256 KiB label value verbatim: the group is accepted whole and the label reads back through the API', async () => {
    // Alertmanager drops the whole group on any 4xx, so refusing one odd alert would lose all of them.
    const body: any = alertmanagerBody('huge-label', [{ instance: 'huge-1' }, { instance: 'huge-2' }]);
    const stack = randomBytes(128 * 1024).toString('hex'); // 256 KiB
    body.alerts[0].labels.stacktrace = stack;
    body.alerts[0].annotations.description = `see ${stack}`;
    const res = await send(body);
    expect([res.status, res.body]).toEqual([202, { accepted: 2 }]);
    const incident = await until(
      db,
      `SELECT id, alerts_total FROM incidents WHERE group_key = $1`,
      [`${am.id}:huge-label`],
      (r: any) => r.alerts_total === 2,
      'both alerts of the group with a 256 KiB label',
    );
    const alerts = await call(url, 'GET', `/api/v1/incidents/${incident.id}/alerts`);
    expect(alerts.status).toBe(200);
    const huge = alerts.body.items.find((a: any) => a.labels.instance === 'huge-1');
    expect(huge.labels.stacktrace).toBe(stack);
    expect(huge.description).toBe(`see ${stack}`);
    expect(alerts.body.items.map((a: any) => a.labels.instance).sort()).toEqual(['huge-1', 'huge-2']);
  });

  it('names the field when a label value is not a string', async () => {
    const typed: any = alertmanagerBody('typed', [{ instance: 'x' }]);
    typed.alerts[0].labels.severity = 5;
    typed.alerts[0].startsAt = 1710408413;
    typed.truncatedAlerts = '3';
    const wrong = await send(typed);
    expect(wrong.status).toBe(400);
    expect(wrong.body.details.map((d: any) => d.path).sort()).toEqual([
      'alerts[0].labels.severity',
      'alerts[0].startsAt',
      'truncatedAlerts',
    ]);
    for (const body of ['[]', 'null', '"firing"', '42', '{"alerts": "many", "version": "4"}']) {
      const res = await send(body);
      expect([body, res.status]).toEqual([body, 400]);
      expect(res.body.details.length).toBeGreaterThan(0);
    }
    const empty = await post(url, '/api/v1/alerts/alertmanager', '', { authorization: `Bearer ${am.key}` });
    statuses.push(empty.status);
    expect(empty.status).toBe(400);
    const poisoned = await send('{"__proto__": {"polluted": true}, "version": "4"}');
    expect(poisoned.status).toBe(400);
  });

  it('accepts one alert of twenty 60 KiB labels (over a record’s size) by cutting them evenly, marked and counted, and it lands', async () => {
    const body: any = alertmanagerBody('wide', [{ instance: 'wide-1' }]);
    for (let i = 0; i < 20; i++) body.alerts[0].labels[`big${i}`] = String.fromCharCode(97 + i).repeat(60 * 1024);
    const res = await send(body);
    expect(res.status).toBe(202);
    await incidentOf('wide', 'the shrunk alert');
    const row = (await alertRows(db, am.id)).find((r) => r.labels.instance === 'wide-1')!;
    expect(row.details).toMatchObject({ shrunk: true });
    // All twenty cut to one length (the record holds ~800 kB), each saying what it kept.
    for (let i = 0; i < 20; i++) {
      expect(row.labels[`big${i}`]).toMatch(/^[a-t]{30000,}…\[cut by Sitrep: first \d+ of 61440 bytes kept\]$/);
    }
    expect(row.labels.alertname).toBe('DiskFull');
    const metrics = (await call(url, 'GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(
      /sitrep_alert_values_cut_total\{source="alertmanager",reason="record_size"\} ([2-9]\d|\d{3,})/,
    );
  });

  it('stores NUL, unpaired surrogates and invalid UTF-8 bytes as U+FFFD instead of jamming the consumer', async () => {
    const json = JSON.stringify(alertmanagerBody('bad-text', [{ instance: 'text-1' }]))
      .replace('"Disk full on text-1"', '"nul \\u0000 lone \\ud800 end"')
      .replace('"node"', '"job\\udc00"');
    expect((await send(json)).status).toBe(202);
    // Raw bytes that are not UTF-8 inside a label value.
    const template = JSON.stringify(alertmanagerBody('bad-bytes', [{ instance: 'PLACEHOLDER' }]));
    const at = template.indexOf('PLACEHOLDER');
    const raw = Buffer.concat([
      Buffer.from(template.slice(0, at)),
      Buffer.from([0x62, 0xff, 0xfe, 0xc3, 0x28, 0x62]),
      Buffer.from(template.slice(at + 'PLACEHOLDER'.length)),
    ]);
    expect((await send(raw)).status).toBe(202);
    const eventsBody = {
      routing_key: events.key,
      event_action: 'trigger',
      dedup_key: 'bad-text',
      payload: {
        summary: 'summary \u0000 with NUL',
        source: 'probe',
        severity: 'info',
        custom_details: { note: 'lone \ud83d', nested: { v: '\u0000' } },
      },
    };
    const triggered = await post(url, '/v2/enqueue', JSON.stringify(eventsBody));
    statuses.push(triggered.status);
    expect(triggered.status).toBe(202);

    await incidentOf('bad-text', 'the NUL alert');
    await incidentOf('bad-bytes', 'the invalid-bytes alert');
    const rows = await alertRows(db, am.id);
    const text = rows.find((r) => r.labels.instance === 'text-1')!;
    expect(text.summary).toBe('nul \ufffd lone \ufffd end');
    expect(text.labels.job).toBe('job\ufffd');
    const bytes = rows.find((r) => r.group_key === `${am.id}:bad-bytes`)!;
    expect(bytes.labels.instance).toContain('\ufffd');
    const [pd] = await until(
      db,
      `SELECT count(*)::int AS n FROM alerts WHERE integration_id = $1`,
      [events.id],
      (r: any) => r.n === 1,
      'the Events API alert',
    ).then(() => alertRows(db, events.id));
    expect(pd.summary).toBe('summary \ufffd with NUL');
    expect(pd.details.customDetails).toEqual({ note: 'lone \ufffd', nested: { v: '\ufffd' } });
  });

  it('never falls over on deep nesting', async () => {
    const depth = 100_000;
    const deep =
      `{"version":"4","extra":${'['.repeat(depth)}${']'.repeat(depth)},` +
      JSON.stringify(alertmanagerBody('deep', [{ instance: 'deep-1' }])).slice(1);
    const res = await send(deep);
    expect(res.status).toBe(202);
    await incidentOf('deep', 'the alert with a deep unknown field');

    let details: unknown = 'bottom';
    for (let i = 0; i < 40; i++) details = { down: details };
    const deepDetails = await post(
      url,
      '/v2/enqueue',
      JSON.stringify({
        routing_key: events.key,
        event_action: 'trigger',
        dedup_key: 'deep-details',
        payload: { summary: 's', source: 'x', severity: 'info', custom_details: details },
      }),
    );
    statuses.push(deepDetails.status);
    // PagerDuty documents no depth limit; the event is kept and only the part below 32 levels is cut.
    expect(deepDetails.status).toBe(202);
    const stored = await until(
      db,
      `SELECT details FROM alerts WHERE integration_id = $1 AND identity = 'deep-details'`,
      [events.id],
      () => true,
      'the event with deep custom_details',
    );
    let node = stored.details.customDetails;
    for (let i = 0; i < 31; i++) node = node.down;
    expect(node).toEqual({ down: '[nested deeper than 32 levels: left out by Sitrep]' });
    const labelsDeep: any = alertmanagerBody('deep-labels', [{ instance: 'x' }]);
    labelsDeep.alerts[0].labels.nested = { a: { b: { c: {} } } };
    const refused = await send(labelsDeep);
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].path).toBe('alerts[0].labels.nested');
  });

  it('accepts keys too long for a PostgreSQL index (group key, dedup_key, PagerDuty id) and applies them', async () => {
    const longGroup = randomBytes(30 * 1024).toString('hex'); // 60 KiB that does not compress
    expect((await send(alertmanagerBody(longGroup, [{ instance: 'long-1' }]))).status).toBe(202);
    const dedupKey = '€'.repeat(255); // 765 bytes: over the bound once the occurrence suffix is added
    const trigger = await post(
      url,
      '/v2/enqueue',
      JSON.stringify({
        routing_key: events.key,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: 'long key', source: 'x', severity: 'error' },
      }),
    );
    statuses.push(trigger.status);
    expect(trigger.status).toBe(202);
    expect(trigger.body.dedup_key).toBe(dedupKey);
    const pd = await createIntegration(url, 'pagerduty-webhook', 'long ids');
    const pdBody = JSON.stringify({
      event: {
        id: 'é'.repeat(1000),
        event_type: 'incident.triggered',
        resource_type: 'incident',
        occurred_at: '2026-03-14T09:27:25.318Z',
        agent: null,
        client: null,
        data: {
          id: '€'.repeat(1000),
          type: 'incident',
          status: 'triggered',
          title: 'Long id',
          created_at: '2026-03-14T09:27:25Z',
        },
      },
    });
    const delivered = await post(url, `/api/v1/alerts/pagerduty/${pd.id}`, pdBody, {
      'x-pagerduty-signature': sign(pdBody, pd.secret!),
    });
    statuses.push(delivered.status);
    expect(delivered.status).toBe(202);

    for (const integration of [am, events, pd]) {
      await until(
        db,
        `SELECT count(*)::int AS n FROM incidents i JOIN alerts a ON a.incident_id = i.id WHERE a.integration_id = $1 AND a.summary IN ('Disk full on long-1', 'long key', 'Long id')`,
        [integration.id],
        (r: any) => r.n === 1,
        `the long-keyed alert of ${integration.id}`,
      );
    }
    const [row] = (await db.query(`SELECT identity, occurrence FROM alerts WHERE integration_id = $1`, [pd.id])).rows;
    expect(row.identity).toBe('€'.repeat(1000));
    expect(row.occurrence).toMatch(/#sha256:[0-9a-f]{64}$/);
  });

  it('answers 413 to a 17 MiB body and keeps serving', async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 0x20);
    big.write('{"version":"4","alerts":[', 0);
    const res = await send(big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413 });
    // Still healthy, and the consumer still applies what comes next.
    expect((await send(alertmanagerBody('after-413', [{ instance: 'ok-1' }]))).status).toBe(202);
    await incidentOf('after-413', 'an alert after the hostile ones');
  });
});

/** The same odd alerts through Kafka, whose broker refuses records of 1 MiB: nothing is lost. */
describe('alert ingestion over Kafka, with alerts larger than a record', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let db: Client;
  let am: TestIntegration;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('alerts_hostile_kafka');
    instance = await startApp(databaseUrl, { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: uniquePrefix() });
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    am = await createIntegration(instance.url, 'alertmanager', 'kafka hostile alertmanager');
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('lands a group with a 256 KiB label whole and a 3 MiB alert cut to fit, both visible through the API', async () => {
    const body: any = alertmanagerBody('kafka-huge', [{ instance: 'whole-1' }, { instance: 'cut-1' }]);
    const stack = randomBytes(128 * 1024).toString('hex');
    body.alerts[0].labels.stacktrace = stack;
    body.alerts[1].annotations.dump = 'd'.repeat(3 << 20);
    body.commonAnnotations = { dump: 'c'.repeat(1 << 20) };
    const res = await sendAlertmanager(instance.url, am.key, body);
    expect([res.status, res.body]).toEqual([202, { accepted: 2 }]);
    const incident = await until(
      db,
      `SELECT id, alerts_total FROM incidents WHERE group_key = $1`,
      [`${am.id}:kafka-huge`],
      (r: any) => r.alerts_total === 2,
      'both alerts of the oversized group over Kafka',
      20000,
    );
    const alerts = await call(instance.url, 'GET', `/api/v1/incidents/${incident.id}/alerts`);
    const byInstance = new Map(alerts.body.items.map((a: any) => [a.labels.instance, a]));
    expect((byInstance.get('whole-1') as any).labels.stacktrace).toBe(stack);
    const dump: string = (byInstance.get('cut-1') as any).annotations.dump;
    expect(dump).toMatch(/^d+…\[cut by Sitrep: first \d+ of 3145728 bytes kept\]$/);
    expect(dump.length).toBeGreaterThan(64 * 1024);
  });
});
