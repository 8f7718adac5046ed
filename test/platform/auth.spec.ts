import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';

describe('auth: tokens, roles and integrations over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('auth');
    instance = await startApp(databaseUrl);
    url = instance.url;
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('refuses a request with no token, a malformed header or an unknown token with 401 in the error shape', async () => {
    for (const token of [null, 'not-a-real-token']) {
      const res = await call(url, 'GET', '/api/v1/tokens', { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(typeof res.body.message).toBe('string');
    }
    const basic = await call(url, 'GET', '/api/v1/tokens', {
      token: null,
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    });
    expect(basic.status).toBe(401);
  });

  it('creates a token that is shown once, stored hashed, listed without its secret, and deleted', async () => {
    const created = await call(url, 'POST', '/api/v1/tokens', { body: { name: 'oncall-bot', role: 'responder' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'oncall-bot', role: 'responder' });
    expect(created.body.token).toMatch(/^srp_[A-Za-z0-9_-]{40,}$/);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT * FROM api_tokens WHERE id = $1`, [created.body.id]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0])).not.toContain(created.body.token);
      expect(Buffer.isBuffer(rows[0].token_hash)).toBe(true);
    } finally {
      await db.end();
    }

    const listed = await call(url, 'GET', '/api/v1/tokens');
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((t: any) => t.id === created.body.id);
    expect(mine).toMatchObject({ name: 'oncall-bot', role: 'responder' });
    expect(mine.token).toBeUndefined();
    expect(listed.text).not.toContain(created.body.token);

    // The new token works, and stops working as soon as it is deleted.
    expect((await call(url, 'GET', '/api/v1/integrations', { token: created.body.token })).status).toBe(403);
    expect((await call(url, 'DELETE', `/api/v1/tokens/${created.body.id}`)).status).toBe(204);
    expect((await call(url, 'GET', '/api/v1/integrations', { token: created.body.token })).status).toBe(401);
    expect((await call(url, 'DELETE', `/api/v1/tokens/${created.body.id}`)).status).toBe(404);
  });

  it('enforces roles: viewer and responder get 403 on admin endpoints, admin gets through', async () => {
    const viewer = (await call(url, 'POST', '/api/v1/tokens', { body: { name: 'dashboard', role: 'viewer' } })).body
      .token;
    const responder = (await call(url, 'POST', '/api/v1/tokens', { body: { name: 'alice', role: 'responder' } })).body
      .token;
    for (const token of [viewer, responder]) {
      const res = await call(url, 'POST', '/api/v1/tokens', { token, body: { name: 'x', role: 'admin' } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'ROLE_TOO_LOW' });
      expect((await call(url, 'GET', '/api/v1/integrations', { token })).status).toBe(403);
      expect((await call(url, 'DELETE', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', { token })).status).toBe(
        403,
      );
    }
    expect((await call(url, 'GET', '/api/v1/tokens', { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('rejects invalid token bodies with 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', role: 'superuser' }, 'role'],
      [{ role: 'viewer' }, 'name'],
      [{ name: '', role: 'viewer' }, 'name'],
      [{ name: 'x'.repeat(101), role: 'viewer' }, 'name'],
      [{ name: 42, role: 'viewer' }, 'name'],
      [{ name: 'x', role: 'viewer', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await call(url, 'POST', '/api/v1/tokens', { body });
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.details.map((d: any) => d.path)).toContain(field);
    }
    expect((await call(url, 'DELETE', '/api/v1/tokens/not-a-uuid')).status).toBe(400);
  });

  it('creates integrations with CSPRNG keys, a signing secret for pagerduty-webhook only, and lists them without either', async () => {
    const am = await call(url, 'POST', '/api/v1/integrations', {
      body: { type: 'alertmanager', name: 'prod am', service: 'checkout' },
    });
    expect(am.status).toBe(201);
    expect(am.body).toMatchObject({ type: 'alertmanager', name: 'prod am', service: 'checkout' });
    expect(am.body.key).toMatch(/^[0-9a-f]{32}$/);
    expect(am.body.secret).toBeUndefined();

    const pd = await call(url, 'POST', '/api/v1/integrations', { body: { type: 'pagerduty-webhook', name: 'pd' } });
    expect(pd.status).toBe(201);
    expect(pd.body.service).toBeNull();
    expect(pd.body.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(pd.body.key).not.toBe(am.body.key);

    const ev = await call(url, 'POST', '/api/v1/integrations', { body: { type: 'pagerduty-events', name: 'events' } });
    expect(ev.status).toBe(201);
    expect(ev.body.secret).toBeUndefined();

    const listed = await call(url, 'GET', '/api/v1/integrations');
    expect(listed.body.items.map((i: any) => i.id)).toEqual(
      expect.arrayContaining([am.body.id, pd.body.id, ev.body.id]),
    );
    for (const secret of [am.body.key, pd.body.key, pd.body.secret, ev.body.key])
      expect(listed.text).not.toContain(secret);

    const bad = await call(url, 'POST', '/api/v1/integrations', { body: { type: 'nagios', name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('type');

    expect((await call(url, 'DELETE', `/api/v1/integrations/${ev.body.id}`)).status).toBe(204);
    expect((await call(url, 'DELETE', `/api/v1/integrations/${ev.body.id}`)).status).toBe(404);
    const after = await call(url, 'GET', '/api/v1/integrations');
    expect(after.body.items.map((i: any) => i.id)).not.toContain(ev.body.id);
  });

  it('takes the integration types the alert sources registered, and lists them in the API document', async () => {
    const bad = await call(url, 'POST', '/api/v1/integrations', { body: { type: 'grafana', name: 'g' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'type' }] });
    expect(bad.body.details[0].problem).toContain('alertmanager, pagerduty-webhook, pagerduty-events');
    const notText = await call(url, 'POST', '/api/v1/integrations', { body: { type: 42, name: 'g' } });
    expect(notText.status).toBe(400);
    expect(notText.body.details[0].path).toBe('type');

    const document = await call(url, 'GET', '/docs-json');
    expect(document.body.components.schemas.CreateIntegrationDto.properties.type.enum).toEqual([
      'alertmanager',
      'pagerduty-webhook',
      'pagerduty-events',
    ]);
  });
});

describe('auth: the generated admin token', () => {
  it('is created and printed once on a fresh database when SITREP_ADMIN_TOKEN is unset, and works', async () => {
    const databaseUrl = await createTestDatabase('adminboot');
    const printed: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      printed.push(String(chunk));
      return true;
    });
    let first: TestApp | undefined;
    let second: TestApp | undefined;
    try {
      first = await startApp(databaseUrl, { SITREP_ADMIN_TOKEN: undefined });
      const token = /srp_[A-Za-z0-9_-]+/.exec(printed.join(''))?.[0];
      expect(token).toBeDefined();
      expect((await call(first.url, 'GET', '/api/v1/tokens', { token })).status).toBe(200);
      await first.close();

      printed.length = 0;
      second = await startApp(databaseUrl, { SITREP_ADMIN_TOKEN: undefined });
      expect(printed.join('')).not.toMatch(/srp_/);
      expect((await call(second.url, 'GET', '/api/v1/tokens', { token })).status).toBe(200);
    } finally {
      spy.mockRestore();
      await first?.close();
      await second?.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
