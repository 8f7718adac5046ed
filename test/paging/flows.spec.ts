import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from '../notifications/mail-sink';
import { createPolicy, declare, entries, entry, ok, PagingDb, putResponder, startPagingApp, timeline } from './support';
import { TwilioStub } from './twilio-stub';

describe('paging flows: schedules, repeat and exhaustion, severities, rules', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let twilio: TwilioStub;
  let sink: MailSink;
  let db: PagingDb;
  let onCall: string;
  let empty: string;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('paging_flows');
    instance = await startPagingApp(databaseUrl, twilio, { SMTP_URL: sink.url, EMAIL_FROM: 'sitrep@example.test' });
    db = await PagingDb.connect(databaseUrl);
    await putResponder(instance.url, 'carl', {
      phone: '+14155550177',
      notificationRules: [{ after: 'PT0S', method: 'sms' }],
    });
    await putResponder(instance.url, 'dana', {
      email: 'dana@example.com',
      phone: '+14155550188',
      notificationRules: [
        { after: 'PT0S', method: 'email' },
        { after: 'PT5M', method: 'voice' },
      ],
    });
    await putResponder(instance.url, 'erin', { email: 'erin@example.com' });
    const schedule = (members: string[], start: string) =>
      ok(instance.url, 'POST', '/api/v1/schedules', {
        name: `s-${start}`,
        timeZone: 'UTC',
        layers: [{ name: 'primary', members, start, rotation: 'P1W' }],
      });
    onCall = (await schedule(['carl'], '2020-01-06T09:00')).id;
    empty = (await schedule(['erin'], '2099-01-05T09:00')).id;
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await twilio?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('skips a step whose schedule has nobody on call, repeats the policy, then ends with page.exhausted', async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Nights',
      repeat: 1,
      steps: [
        { delay: 'PT1S', targets: [{ type: 'schedule', scheduleId: empty }] },
        { delay: 'PT1S', targets: [{ type: 'schedule', scheduleId: onCall }] },
      ],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/payments', { escalationPolicyId: policy.id });
    const incident = await declare(instance.url, {
      service: 'payments',
      severity: 'SEV2',
      title: 'Payments RDS replica lag',
    });

    const exhausted = await entry(instance.url, incident.id, (e) => e.type === 'page.exhausted');
    expect(exhausted.data).toEqual({ policyId: policy.id });
    const paging = (await timeline(instance.url, incident.id)).filter((e) =>
      ['incident.paged', 'incident.escalated', 'page.exhausted'].includes(e.type),
    );
    expect(paging.map((e) => [e.type, e.data.step, e.data.round])).toEqual([
      ['incident.paged', 2, 1],
      ['incident.escalated', 2, 2],
      ['page.exhausted', undefined, undefined],
    ]);
    expect(paging[0].data.responders).toEqual(['carl']);
    // carl's only rule is SMS: one per round, no call.
    await entries(
      instance.url,
      incident.id,
      (e) => e.type === 'page.sent' && e.data.responder === 'carl' && e.data.method === 'sms',
      2,
    );
    expect(twilio.sent('Messages', '+14155550177')).toHaveLength(2);
    expect(twilio.sent('Calls', '+14155550177')).toHaveLength(0);
    expect((await db.page(incident.id)).status).toBe('exhausted');
  });

  it('pages nobody for a severity the policy does not call urgent, and starts a page when raised to one while triggered', async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Default',
      default: true,
      steps: [{ delay: 'PT1M', targets: [{ type: 'responder', handle: 'erin' }] }],
    });
    // No service: the default policy applies.
    const incident = await declare(instance.url, { severity: 'SEV3', title: 'Disk 80% on search-3' });
    await eventually(
      async () =>
        (await db.query(`SELECT last_seq FROM paging_event_cursor WHERE incident_id = $1`, [incident.id]))[0]
          ?.last_seq >= 1,
    );
    expect((await timeline(instance.url, incident.id)).some((e) => e.type === 'incident.paged')).toBe(false);
    expect(await db.page(incident.id)).toBeUndefined();

    await ok(instance.url, 'PATCH', `/api/v1/incidents/${incident.id}`, { severity: 'SEV1' });
    const paged = await entry(instance.url, incident.id, (e) => e.type === 'incident.paged');
    expect(paged.data).toMatchObject({ policyId: policy.id, step: 1, round: 1, responders: ['erin'] });
    await eventually(() => sink.to('erin@example.com').length === 1);

    // Resolve, then reopen: a new page.
    await ok(instance.url, 'POST', `/api/v1/incidents/${incident.id}/resolve`, {});
    await eventually(async () => (await db.page(incident.id))?.status === 'ended');
    await ok(instance.url, 'POST', `/api/v1/incidents/${incident.id}/reopen`, {});
    await entries(instance.url, incident.id, (e) => e.type === 'incident.paged', 2);
    await eventually(() => sink.to('erin@example.com').length === 2);
    const pages = await db.query(`SELECT status FROM pages WHERE incident_id = $1 ORDER BY started_at`, [incident.id]);
    expect(pages.map((p) => p.status)).toEqual(['ended', 'active']);
    await ok(instance.url, 'POST', `/api/v1/incidents/${incident.id}/mitigate`, {});
    await eventually(async () => (await db.page(incident.id))?.status === 'ended');
    await ok(instance.url, 'PUT', `/api/v1/escalation-policies/${policy.id}`, {
      name: 'Default',
      default: false,
      steps: policy.steps,
    });
  });

  it("follows a responder's rules: a later method waits its delay, and never goes out once the incident is acknowledged", async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Dana',
      steps: [{ delay: 'PT10M', targets: [{ type: 'responder', handle: 'dana' }] }],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/ledger', { escalationPolicyId: policy.id });
    const incident = await declare(instance.url, { service: 'ledger', title: 'Ledger writes failing' });
    await entry(
      instance.url,
      incident.id,
      (e) => e.type === 'page.sent' && e.data.method === 'email' && e.data.responder === 'dana',
    );
    const page = await db.page(incident.id);
    const [voice] = await db.query(`SELECT key, due_at FROM timers WHERE kind = 'paging.notify' AND key LIKE $1`, [
      `paging:${page.id}:%`,
    ]);
    expect(voice.key).toContain(':voice:dana');
    expect(new Date(voice.due_at).getTime() - new Date(page.started_at).getTime()).toBeGreaterThanOrEqual(5 * 60_000);

    await ok(instance.url, 'POST', `/api/v1/incidents/${incident.id}/acknowledge`, {});
    await eventually(async () => (await db.page(incident.id))?.status === 'ended');
    // Bring the call forward: it fires, finds the page over, and calls nobody.
    await db.query(`UPDATE timers SET due_at = now() WHERE kind = 'paging.notify' AND key = $1`, [voice.key]);
    await eventually(
      async () =>
        (await db.query(`SELECT fired_at FROM timers WHERE kind = 'paging.notify' AND key = $1`, [voice.key]))[0]
          ?.fired_at,
    );
    expect(twilio.sent('Calls', '+14155550188')).toHaveLength(0);
    expect(
      (await timeline(instance.url, incident.id)).some((e) => e.type === 'page.sent' && e.data.method === 'voice'),
    ).toBe(false);
  });

  it('keeps the escalation policy and service API honest', async () => {
    const base = { name: 'API', steps: [{ delay: 'PT5M', targets: [{ type: 'schedule', scheduleId: onCall }] }] };
    const created = await call(instance.url, 'POST', '/api/v1/escalation-policies', { body: base });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'API',
      default: false,
      repeat: 0,
      urgentSeverities: ['SEV1', 'SEV2'],
      version: 1,
    });
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id;

    const bad = await call(instance.url, 'POST', '/api/v1/escalation-policies', {
      body: {
        name: 'x',
        repeat: 9,
        steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'nobody-here' }] }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path)).toEqual(['repeat']);
    const unknown = await call(instance.url, 'POST', '/api/v1/escalation-policies', {
      body: { name: 'x', steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'nobody-here' }] }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].path).toBe('steps[0].targets[0].handle');

    const viewer = (await ok(instance.url, 'POST', '/api/v1/tokens', { name: 'viewer', role: 'viewer' })).token;
    expect(
      (await call(instance.url, 'POST', '/api/v1/escalation-policies', { body: base, token: viewer })).status,
    ).toBe(403);
    expect((await call(instance.url, 'GET', `/api/v1/escalation-policies/${id}`, { token: viewer })).status).toBe(200);

    const stale = await call(instance.url, 'PUT', `/api/v1/escalation-policies/${id}`, {
      body: { ...base, repeat: 2 },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    const updated = await call(instance.url, 'PUT', `/api/v1/escalation-policies/${id}`, {
      body: { ...base, repeat: 2 },
      headers: { 'if-match': '"1"' },
    });
    expect(updated.body).toMatchObject({ repeat: 2, version: 2 });

    await ok(instance.url, 'POST', '/api/v1/escalation-policies', { ...base, name: 'First default', default: true });
    const second = await call(instance.url, 'POST', '/api/v1/escalation-policies', {
      body: { ...base, name: 'Second default', default: true },
    });
    expect(second.status).toBe(409);
    expect(second.body.details[0].path).toBe('default');

    const service = await ok(instance.url, 'PUT', '/api/v1/services/checkout', {
      escalationPolicyId: id,
      description: 'Checkout API',
    });
    expect(service).toMatchObject({ name: 'checkout', escalationPolicyId: id, description: 'Checkout API' });
    expect((await ok(instance.url, 'GET', '/api/v1/services/checkout')).escalationPolicyId).toBe(id);
    expect((await ok(instance.url, 'GET', '/api/v1/services')).items.map((s: any) => s.name)).toContain('checkout');
    expect((await call(instance.url, 'GET', '/api/v1/services/nope')).status).toBe(404);
    const badService = await call(instance.url, 'PUT', '/api/v1/services/checkout', {
      body: { escalationPolicyId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(badService.status).toBe(400);
    expect(badService.body.details[0].path).toBe('escalationPolicyId');

    const inUse = await call(instance.url, 'DELETE', `/api/v1/escalation-policies/${id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.message).toContain('checkout');
    const scheduleInUse = await call(instance.url, 'DELETE', `/api/v1/schedules/${onCall}`);
    expect(scheduleInUse.status).toBe(409);
    expect(scheduleInUse.text).toContain('SCHEDULE_IN_USE');

    await ok(instance.url, 'PUT', '/api/v1/services/checkout', { escalationPolicyId: null });
    expect((await call(instance.url, 'DELETE', `/api/v1/escalation-policies/${id}`)).status).toBe(204);
    expect((await call(instance.url, 'GET', `/api/v1/escalation-policies/${id}`)).status).toBe(404);

    const list = await ok(instance.url, 'GET', '/api/v1/escalation-policies?limit=1');
    expect(list.items).toHaveLength(1);
    expect(typeof list.nextCursor).toBe('string');
    const next = await ok(instance.url, 'GET', `/api/v1/escalation-policies?limit=1&cursor=${list.nextCursor}`);
    expect(next.items[0].id).not.toBe(list.items[0].id);
  });

  it('checks responders: E.164 phones, and rules only for methods they have on channels that are on', async () => {
    const put = (body: Record<string, unknown>) =>
      call(instance.url, 'PUT', '/api/v1/responders/fay', { body: { name: 'Fay', ...body } });
    expect((await put({ phone: '0155 555' })).body.details[0].path).toBe('phone');
    const lacks = await put({ email: 'fay@example.com', notificationRules: [{ after: 'PT1M', method: 'sms' }] });
    expect(lacks.status).toBe(400);
    expect(lacks.body.details[0].path).toBe('notificationRules[0].method');
    const off = await put({ slackUserId: 'UFAY12345', notificationRules: [{ after: 'PT0S', method: 'slack' }] });
    expect(off.status).toBe(400);
    expect(off.body.details[0].problem).toContain('off');
    const badAfter = await put({
      email: 'fay@example.com',
      notificationRules: [{ after: '5 minutes', method: 'email' }],
    });
    expect(badAfter.status).toBe(400);
    expect(badAfter.body.details[0].path).toBe('notificationRules[0].after');
    const good = await put({
      email: 'fay@example.com',
      phone: '+447700900123',
      notificationRules: [
        { after: 'PT0S', method: 'email' },
        { after: 'PT2M', method: 'voice' },
      ],
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      phone: '+447700900123',
      notificationRules: [
        { after: 'PT0S', method: 'email' },
        { after: 'PT2M', method: 'voice' },
      ],
    });
  });
});
