import { Client } from 'pg';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually, testKafkaBrokers } from '../support/database';
import {
  alertmanagerBody,
  alertRows,
  count,
  createIntegration,
  eventsOf,
  fixture,
  fixtureJson,
  hugeAlertmanagerPayload,
  incidentsOfGroup,
  post,
  sendAlertmanager,
  setIntegrationKey,
  setSigningSecret,
  TestIntegration,
  uniquePrefix,
  until,
} from './support';

/** Every fixture through its endpoint, against the Kafka-protocol broker and real PostgreSQL. */
describe('alert ingestion through Kafka', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let db: Client;
  let am: TestIntegration;
  let pdWebhook: TestIntegration;
  let pdEvents: TestIntegration;
  const signatures = fixtureJson('pagerduty-v3/signatures.json');
  const FIXTURE_ROUTING_KEY = fixtureJson('pagerduty-events-v2/trigger.json').routing_key as string;
  const AM_GROUP = fixtureJson('alertmanager/firing-single.json').groupKey as string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('alerts');
    instance = await startApp(databaseUrl, { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: uniquePrefix() });
    url = instance.url;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    am = await createIntegration(url, 'alertmanager', 'prod-eu-1 alertmanager', 'checkout');
    pdWebhook = await createIntegration(url, 'pagerduty-webhook', 'PagerDuty checkout');
    pdEvents = await createIntegration(url, 'pagerduty-events', 'Events API');
    // The fixtures are signed with their own secret and carry their own routing key.
    await setSigningSecret(db, pdWebhook.id, signatures.secret);
    await setIntegrationKey(db, pdEvents.id, FIXTURE_ROUTING_KEY);
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  const group = (integration: TestIntegration, key: string) => `${integration.id}:${key}`;
  const incidentOf = (groupKey: string, check: (row: any) => boolean, message: string, timeoutMs = 10000) =>
    until(
      db,
      `SELECT * FROM incidents WHERE group_key = $1 ORDER BY created_at DESC LIMIT 1`,
      [groupKey],
      check,
      message,
      timeoutMs,
    );

  it('Alertmanager fixtures: a group fires, grows, partly and fully resolves; its incident follows', async () => {
    const first = await sendAlertmanager(url, am.key, fixture('alertmanager/firing-single.json'));
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 1 });
    // The consumer group joins the mock cluster's group first (about 6 s).
    const declared = await incidentOf(group(am, AM_GROUP), (r) => r.alerts_total === 1, 'the first alert', 20000);
    expect(declared).toMatchObject({
      title: 'High 5xx ratio on api-0.prod-eu-1.example.com:8080',
      status: 'triggered',
      severity: 'SEV1',
      service: 'checkout',
      source: 'alert',
      alerts_firing: 1,
    });
    const id = declared.id;
    const [alert] = await alertRows(db, am.id);
    expect(alert).toMatchObject({
      source: 'alertmanager',
      identity: '1b2d0df64a2a6c6a',
      occurrence: '1b2d0df64a2a6c6a@2026-03-14T09:26:53.589Z',
      status: 'firing',
      severity: 'SEV1',
      summary: 'High 5xx ratio on api-0.prod-eu-1.example.com:8080',
      description: '5xx ratio is 7.3% (> 5% threshold) for checkout & refunds endpoints over the last 5m.',
      runbook_url: 'https://runbooks.example.com/payments/HighErrorRate',
      service: 'api',
      labels: { alertname: 'HighErrorRate', instance: 'api-0.prod-eu-1.example.com:8080', severity: 'critical' },
      incident_id: id,
      ends_at: null,
    });
    expect(alert.generator_url).toMatch(/^http:\/\/prometheus-0\.example\.com:9090\/graph\?g0\.expr=.*&g0\.tab=1$/);
    expect(alert.starts_at.toISOString()).toBe('2026-03-14T09:26:53.589Z');
    expect(alert.delivery).toMatchObject({
      receiver: 'incident-backend',
      externalURL: 'http://alertmanager.example.com:9093',
      truncatedAlerts: 0,
    });
    expect((await eventsOf(db, id)).map((e) => [e.type, e.actor])).toEqual([
      ['incident.declared', 'system'],
      ['alert.attached', 'system'],
    ]);

    // v0.34 shape of the same notification: the same occurrence, seen again, changes nothing.
    expect((await sendAlertmanager(url, am.key, fixture('alertmanager/firing-v0.34-extra-fields.json'))).status).toBe(
      202,
    );
    await until(
      db,
      `SELECT delivery FROM alerts WHERE integration_id = $1`,
      [am.id],
      (r: any) => r.delivery.notificationReason === 'first notification',
      'the repeat to be applied',
    );
    expect(await eventsOf(db, id)).toHaveLength(2);

    expect((await sendAlertmanager(url, am.key, fixture('alertmanager/firing-group.json'))).body).toEqual({
      accepted: 3,
    });
    await incidentOf(group(am, AM_GROUP), (r) => r.alerts_total === 3 && r.alerts_firing === 3, 'three alerts');
    expect((await sendAlertmanager(url, am.key, fixture('alertmanager/mixed.json'))).status).toBe(202);
    await incidentOf(group(am, AM_GROUP), (r) => r.alerts_firing === 2, 'api-1 resolved');
    expect((await sendAlertmanager(url, am.key, fixture('alertmanager/resolved.json'))).status).toBe(202);
    const resolved = await incidentOf(
      group(am, AM_GROUP),
      (r) => r.status === 'resolved',
      'the incident to resolve itself',
    );
    expect(resolved).toMatchObject({ id, alerts_total: 3, alerts_firing: 0 });

    const log = await eventsOf(db, id);
    expect(log.map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'alert.attached',
      'alert.attached',
      'alert.resolved',
      'alert.resolved',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(log[log.length - 1]).toMatchObject({ actor: 'system', data: { automatic: true } });
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(await incidentsOfGroup(db, group(am, AM_GROUP))).toHaveLength(1);

    const alerts = await call(url, 'GET', `/api/v1/incidents/${id}/alerts`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.meta).toBeUndefined();
    expect(alerts.body.items).toHaveLength(3);
    expect(alerts.body.items.map((a: any) => a.labels.instance)).toEqual([
      'api-0.prod-eu-1.example.com:8080',
      'api-1.prod-eu-1.example.com:8080',
      'api-2.prod-eu-1.example.com:8080',
    ]);
    expect(alerts.body.items[1]).toMatchObject({
      source: 'alertmanager',
      identity: '8cecc802d56fa1a9',
      status: 'resolved',
      severity: 'SEV1',
      runbookUrl: 'https://runbooks.example.com/payments/HighErrorRate',
      description: '5xx ratio is 6.1% (> 5% threshold) for checkout & refunds endpoints over the last 5m.',
      startsAt: '2026-03-14T09:27:38.112Z',
      endsAt: '2026-03-14T09:50:38.112Z',
      annotations: { summary: 'High 5xx ratio on api-1.prod-eu-1.example.com:8080' },
    });
    expect(alerts.body.items[1].generatorUrl).toContain('g0.expr=');
    expect(alerts.body.items[1].resolvedAt).not.toBeNull();
  });

  it('keeps truncatedAlerts visible: a note on the timeline and meta on the incident’s alerts', async () => {
    const body = fixture('alertmanager/truncated.json');
    const groupKey = group(am, JSON.parse(body.toString()).groupKey);
    expect((await sendAlertmanager(url, am.key, body)).body).toEqual({ accepted: 2 });
    const incident = await incidentOf(groupKey, (r) => r.alerts_total === 2, 'the truncated group');
    expect(incident).toMatchObject({ title: 'Pod is crash looping.', severity: 'SEV3' });
    const log = await eventsOf(db, incident.id);
    expect(log.map((e) => e.type)).toEqual(['incident.declared', 'alert.attached', 'alert.attached', 'note.added']);
    expect(log[3].data.text).toContain('truncatedAlerts = 3');
    const alerts = await call(url, 'GET', `/api/v1/incidents/${incident.id}/alerts`);
    expect(alerts.body.meta).toEqual({ truncatedAlerts: 3 });
    const rows = await alertRows(db, am.id);
    // Alertmanager escapes the receiver name (QuoteMeta); the stored one is the real name.
    expect(rows.find((r) => r.identity === 'f790fb550246ff8c')?.delivery).toMatchObject({
      receiver: 'payments.webhook',
      truncatedAlerts: 3,
    });
  });

  it('refuses bad Alertmanager bodies and credentials with a 4xx naming the problem, storing nothing', async () => {
    const before = await count(db, `SELECT count(*) AS n FROM alerts WHERE integration_id = $1`, [am.id]);
    const missing = await sendAlertmanager(url, am.key, fixture('alertmanager/bad/missing-alerts.json'));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'INVALID_ALERTMANAGER_PAYLOAD' });
    expect(missing.body.details).toEqual([expect.objectContaining({ path: 'alerts' })]);
    for (const file of ['wrong-version.json', 'version-not-string.json']) {
      const res = await sendAlertmanager(url, am.key, fixture(`alertmanager/bad/${file}`));
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe('version');
    }
    const form = await post(url, '/api/v1/alerts/alertmanager', fixture('alertmanager/bad/not-json.txt'), {
      authorization: `Bearer ${am.key}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ statusCode: 415 });
    const notJson = await sendAlertmanager(url, am.key, fixture('alertmanager/bad/not-json.txt'));
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toMatch(/not valid JSON/);
    const cut = await sendAlertmanager(url, am.key, fixture('alertmanager/bad/truncated-body.txt'));
    expect(cut.status).toBe(400);
    expect(cut.body.statusCode).toBe(400);

    const single = fixture('alertmanager/firing-single.json');
    expect((await post(url, '/api/v1/alerts/alertmanager', single)).status).toBe(401);
    const wrong = await post(url, '/api/v1/alerts/alertmanager', single, { authorization: 'Bearer not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ statusCode: 401, code: 'INTEGRATION_KEY_INVALID' });
    // A key of another kind of integration is not an Alertmanager credential.
    expect(
      (await post(url, '/api/v1/alerts/alertmanager', single, { authorization: `Bearer ${FIXTURE_ROUTING_KEY}` }))
        .status,
    ).toBe(401);
    expect(await count(db, `SELECT count(*) AS n FROM alerts WHERE integration_id = $1`, [am.id])).toBe(before);
  });

  it('PagerDuty V3 fixtures, byte for byte: declared, acknowledged, annotated, resolved; a redelivery changes nothing', async () => {
    const route = `/api/v1/alerts/pagerduty/${pdWebhook.id}`;
    const send = (file: string) =>
      post(url, route, fixture(`pagerduty-v3/${file}`), { 'x-pagerduty-signature': signatures.fixtures[file].header });
    const order = [
      'incident.triggered.json',
      'incident.acknowledged.json',
      'incident.annotated.json',
      'incident.reassigned.json',
      'incident.priority_updated.json',
    ];
    for (const file of order) {
      const res = await send(file);
      expect([file, res.status]).toEqual([file, 202]);
      expect(res.body).toEqual({ accepted: 1 });
    }
    const groupKey = group(pdWebhook, 'Q2K7ZP4XW1MNBA');
    const incident = await incidentOf(
      groupKey,
      (r) => r.status === 'acknowledged' && r.notes === 1,
      'the PagerDuty incident acknowledged and annotated',
    );
    expect(incident).toMatchObject({
      title: '[FIRING:1] HighErrorRate prod-eu-1 (critical)',
      severity: 'SEV1',
      service: 'Checkout API (prod-eu-1)',
    });

    // PagerDuty redelivers with the same event id: applied once.
    expect((await send('incident.triggered.json')).status).toBe(202);
    expect((await send('incident.resolved.json')).status).toBe(202);
    await incidentOf(groupKey, (r) => r.status === 'resolved', 'the PagerDuty incident resolved');
    const log = await eventsOf(db, incident.id);
    expect(log.map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'incident.acknowledged',
      'note.added',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(log[2]).toMatchObject({ actor: 'system', data: { note: 'Acknowledged in PagerDuty by Dana Whitfield' } });
    expect(log[3].data.text).toBe(
      'PagerDuty note by Dana Whitfield: Rolled back checkout to v2.14.1 – 5xx ratio dropping; watching for 15 min. “Refunds” path still elevated.',
    );
    expect(
      await count(db, `SELECT count(*) AS n FROM processed_deliveries WHERE integration_id = $1`, [pdWebhook.id]),
    ).toBe(6);
    const [alert] = await alertRows(db, pdWebhook.id);
    expect(alert).toMatchObject({
      identity: 'Q2K7ZP4XW1MNBA',
      status: 'resolved',
      labels: { priority: 'P2', urgency: 'high' },
    });
  });

  it('checks X-PagerDuty-Signature over the raw bytes: every case of signatures.json, nothing stored unless valid', async () => {
    const other = await createIntegration(url, 'pagerduty-webhook', 'PagerDuty signatures');
    await setSigningSecret(db, other.id, signatures.secret);
    const route = `/api/v1/alerts/pagerduty/${other.id}`;
    const body = fixture('pagerduty-v3/incident.triggered.json');
    const reindented = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    const cases = [...signatures.cases].sort(
      (a: any, b: any) => Number(a.expect === 'valid') - Number(b.expect === 'valid'),
    );
    for (const c of cases) {
      const raw = c.body_transform ? reindented : body;
      const res = await post(url, route, raw, c.header === null ? {} : { 'x-pagerduty-signature': c.header });
      expect([c.id, res.status]).toEqual([c.id, c.expect === 'valid' ? 202 : 401]);
      if (c.expect !== 'valid') {
        expect(res.body.code).toBe(
          c.expect === 'malformed' ? 'PAGERDUTY_SIGNATURE_MALFORMED' : 'PAGERDUTY_SIGNATURE_INVALID',
        );
        expect(
          await count(db, `SELECT count(*) AS n FROM processed_deliveries WHERE integration_id = $1`, [other.id]),
        ).toBe(0);
      }
    }
    // The wrong integration, or one without the secret: 401 as well.
    const header = signatures.fixtures['incident.triggered.json'].header;
    expect(
      (await post(url, `/api/v1/alerts/pagerduty/${pdEvents.id}`, body, { 'x-pagerduty-signature': header })).status,
    ).toBe(401);
    expect(
      (await post(url, '/api/v1/alerts/pagerduty/not-a-uuid', body, { 'x-pagerduty-signature': header })).status,
    ).toBe(401);
    await until(
      db,
      `SELECT count(*)::int AS n FROM alerts WHERE integration_id = $1`,
      [other.id],
      (r: any) => r.n === 1,
      'the valid delivery',
    );
    expect(
      await count(db, `SELECT count(*) AS n FROM processed_deliveries WHERE integration_id = $1`, [other.id]),
    ).toBe(1);
    expect(await incidentsOfGroup(db, group(other, 'Q2K7ZP4XW1MNBA'))).toHaveLength(1);
  });

  it('Events API v2 fixtures: PagerDuty’s answers, trigger → acknowledge → resolve → trigger reopens', async () => {
    const trigger = await post(url, '/v2/enqueue', fixture('pagerduty-events-v2/trigger.json'));
    expect(trigger.status).toBe(202);
    expect(trigger.body).toEqual(fixtureJson('pagerduty-events-v2/responses/202-accepted.json').body);
    const groupKey = group(pdEvents, 'prod-eu-1/api/HighErrorRate');
    const incident = await incidentOf(groupKey, (r) => r.alerts_total === 1, 'the Events API incident');
    expect(incident).toMatchObject({
      title: '[FIRING:3] HighErrorRate prod-eu-1: 5xx ratio above 5% on api-0, api-1, api-2',
      severity: 'SEV1',
      service: 'checkout-api',
    });
    const [alert] = await alertRows(db, pdEvents.id);
    expect(alert).toMatchObject({
      identity: 'prod-eu-1/api/HighErrorRate',
      runbook_url: 'https://runbooks.example.com/payments/HighErrorRate',
      generator_url: 'https://incidents.example.com/incidents/1042',
      labels: {
        source: 'api-0.prod-eu-1.example.com',
        severity: 'critical',
        component: 'checkout-api',
        group: 'prod-eu-1',
        class: 'http-5xx-ratio',
      },
    });
    expect(alert.details.customDetails).toMatchObject({ error_ratio_percent: 9.8 });

    expect((await post(url, '/v2/enqueue', fixture('pagerduty-events-v2/acknowledge.json'))).body).toEqual(
      fixtureJson('pagerduty-events-v2/responses/202-accepted.json').body,
    );
    await incidentOf(groupKey, (r) => r.status === 'acknowledged', 'acknowledged');
    expect((await post(url, '/v2/enqueue', fixture('pagerduty-events-v2/resolve.json'))).status).toBe(202);
    await incidentOf(groupKey, (r) => r.status === 'resolved', 'resolved');
    // A trigger with the same key after the alert resolved opens a new alert; the incident reopens.
    expect((await post(url, '/v2/enqueue', fixture('pagerduty-events-v2/trigger.json'))).status).toBe(202);
    const reopened = await incidentOf(groupKey, (r) => r.alerts_total === 2, 'reopened');
    expect(reopened).toMatchObject({ id: incident.id, status: 'triggered', alerts_firing: 1 });
    expect((await eventsOf(db, incident.id)).map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'incident.acknowledged',
      'alert.resolved',
      'incident.resolved',
      'incident.reopened',
      'alert.attached',
    ]);

    const minimal = await post(url, '/v2/enqueue', fixture('pagerduty-events-v2/trigger-minimal.json'));
    expect(minimal.status).toBe(202);
    expect(minimal.body).toMatchObject({ status: 'success', message: 'Event processed' });
    expect(minimal.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    const generated = await incidentOf(
      group(pdEvents, minimal.body.dedup_key),
      (r) => r.alerts_total === 1,
      'the minimal trigger',
    );
    expect(generated).toMatchObject({ title: 'Disk /var at 97% on db-3.prod-eu-1.example.com', severity: 'SEV3' });

    for (const [file, answer] of [
      ['bad-missing-summary.json', '400-missing-summary.json'],
      ['bad-severity.json', '400-bad-severity.json'],
    ]) {
      const res = await post(url, '/v2/enqueue', fixture(`pagerduty-events-v2/${file}`));
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fixtureJson(`pagerduty-events-v2/responses/${answer}`).body);
    }
    const unknownKey = {
      ...fixtureJson('pagerduty-events-v2/trigger.json'),
      routing_key: 'ffffffffffffffffffffffffffffffff',
    };
    const refused = await post(url, '/v2/enqueue', JSON.stringify(unknownKey));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ["'routing_key' is invalid"],
    });
  });

  it('correlates change events with incidents of the same service, within the hour before the incident', async () => {
    const routingKey = FIXTURE_ROUTING_KEY;
    const at = (minutesAgo: number) =>
      new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000).toISOString();
    const deploy = (service: string, minutesAgo: number, summary: string) =>
      post(
        url,
        '/v2/change/enqueue',
        JSON.stringify({
          routing_key: routingKey,
          payload: { summary, timestamp: at(minutesAgo), source: 'ci', custom_details: { service } },
          links: [{ href: 'https://ci.example.com/build/1', text: 'Build' }],
        }),
      );
    // A deploy first, then the incident of its service: correlated at declaration.
    const early = await deploy('billing', 10, 'Deploy billing v1.4.2');
    expect(early.status).toBe(202);
    expect(early.body).toEqual({ status: 'success', message: 'Change event processed' });
    expect((await deploy('billing', 10, 'Deploy billing v1.4.2')).status).toBe(202); // the same change again
    expect((await deploy('billing', 90, 'Deploy billing v1.4.0')).status).toBe(202); // too old
    await until(
      db,
      `SELECT count(*)::int AS n FROM changes WHERE service = 'billing'`,
      [],
      (r: any) => r.n === 2,
      'the changes',
    );
    const trig = (dedupKey: string, component: string) =>
      post(
        url,
        '/v2/enqueue',
        JSON.stringify({
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: dedupKey,
          payload: { summary: `${component} is down`, source: 'probe', severity: 'error', component },
        }),
      );
    expect((await trig('billing-down', 'billing')).status).toBe(202);
    const billing = await incidentOf(
      group(pdEvents, 'billing-down'),
      (r) => r.alerts_total === 1,
      'the billing incident',
    );
    const billingLog = await eventsOf(db, billing.id);
    expect(billingLog.filter((e) => e.type === 'change.correlated').map((e) => e.data.summary)).toEqual([
      'Deploy billing v1.4.2',
    ]);

    // The incident first, then a deploy that happened five minutes before it: correlated on arrival.
    expect((await trig('ledger-down', 'ledger')).status).toBe(202);
    const ledger = await incidentOf(group(pdEvents, 'ledger-down'), (r) => r.alerts_total === 1, 'the ledger incident');
    expect((await deploy('ledger', 5, 'Deploy ledger v9')).status).toBe(202);
    await eventually(async () => (await eventsOf(db, ledger.id)).some((e) => e.type === 'change.correlated'), {
      message: 'the late change to be correlated',
    });
    const entry = (await eventsOf(db, ledger.id)).find((e) => e.type === 'change.correlated')!;
    expect(entry).toMatchObject({ actor: 'system', data: { summary: 'Deploy ledger v9', service: 'ledger' } });
    const [stored] = (await db.query(`SELECT source, links, details FROM changes WHERE service = 'ledger'`)).rows;
    expect(stored).toMatchObject({
      source: 'ci',
      links: [{ href: 'https://ci.example.com/build/1', text: 'Build' }],
      details: { service: 'ledger' },
    });
  });

  it('applies the same payload sent 5 times at once once; resolved-before-firing converges', async () => {
    const groupKey = 'idempotency';
    const body = JSON.stringify(alertmanagerBody(groupKey, [{ instance: 'node-1' }]));
    const answers = await Promise.all(Array.from({ length: 5 }, () => sendAlertmanager(url, am.key, body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    // Records of one group are applied in order: once a later one shows, the five were applied.
    await sendAlertmanager(url, am.key, alertmanagerBody(groupKey, [{ instance: 'node-1' }, { instance: 'node-2' }]));
    const incident = await incidentOf(group(am, groupKey), (r) => r.alerts_total === 2, 'the marker alert');
    expect((await eventsOf(db, incident.id)).map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'alert.attached',
    ]);
    expect(await count(db, `SELECT count(*) AS n FROM alerts WHERE group_key = $1`, [group(am, groupKey)])).toBe(2);

    // Resolved first (an HA replica's late view), then the firing of the same occurrence: stays resolved.
    const late = 'late-firing';
    await sendAlertmanager(url, am.key, alertmanagerBody(late, [{ instance: 'db-1', status: 'resolved' }]));
    await sendAlertmanager(url, am.key, alertmanagerBody(late, [{ instance: 'db-1' }]));
    await sendAlertmanager(url, am.key, alertmanagerBody(late, [{ instance: 'db-2' }]));
    const other = await incidentOf(group(am, late), (r) => r.alerts_total === 1, 'the marker alert of the late group');
    expect(other.alerts_firing).toBe(1);
    const rows = (
      await db.query(
        `SELECT labels->>'instance' AS instance, status, incident_id FROM alerts WHERE group_key = $1 ORDER BY 1`,
        [group(am, late)],
      )
    ).rows;
    expect(rows).toEqual([
      { instance: 'db-1', status: 'resolved', incident_id: null },
      { instance: 'db-2', status: 'firing', incident_id: other.id },
    ]);
  });

  it('accepts a 5,000-alert Alertmanager group (~4 MB) whole: split into records, 5,000 alerts on one incident', async () => {
    // Its own integration: the generator's api-0 alert is the fixtures' api-0 occurrence, resolved above.
    const bulk = await createIntegration(url, 'alertmanager', 'bulk alertmanager');
    const groupKey = '{}/{}:{alertname="HighErrorRate", bulk="5000"}';
    const body = hugeAlertmanagerPayload(5000, groupKey);
    expect(Buffer.byteLength(body)).toBeGreaterThan(2_000_000);
    const started = Date.now();
    const res = await sendAlertmanager(url, bulk.key, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 5000 });
    const answered = Date.now() - started;
    const incident = await incidentOf(group(bulk, groupKey), (r) => r.alerts_total === 5000, 'all 5,000 alerts', 20000);
    const applied = Date.now() - started;
    console.log(`5,000-alert payload: 202 after ${answered} ms, all applied after ${applied} ms`);
    expect(incident).toMatchObject({ alerts_firing: 5000, severity: 'SEV1' });
    expect(await count(db, `SELECT count(*) AS n FROM alerts WHERE group_key = $1`, [group(bulk, groupKey)])).toBe(
      5000,
    );
    expect(
      await count(db, `SELECT count(DISTINCT delivery->'part'->>'index') AS n FROM alerts WHERE group_key = $1`, [
        group(bulk, groupKey),
      ]),
    ).toBeGreaterThan(1);
    const items = (await call(url, 'GET', `/api/v1/incidents/${incident.id}/alerts`)).body.items;
    expect(items).toHaveLength(5000);
    expect(new Set(items.map((a: any) => a.identity)).size).toBe(5000);
  });

  it('exposes ingestion and consumer metrics', async () => {
    const text = (await call(url, 'GET', '/metrics', { token: null })).text;
    expect(text).toMatch(/sitrep_alerts_received_total\{source="alertmanager",status="firing"\} \d+/);
    expect(text).toMatch(/sitrep_alerts_rejected_total\{source="pagerduty-webhook",reason="signature_invalid"\} \d+/);
    expect(text).toContain('sitrep_alert_ingest_duration_seconds_bucket');
    expect(text).toContain('sitrep_alert_consumer_batch_messages_bucket');
    expect(text).toContain('sitrep_alert_consumer_lag_seconds');
  });
});
