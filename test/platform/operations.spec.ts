import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { call, startApp, TestApp } from '../support/app';
import { TcpProxy } from '../support/tcp-proxy';

describe('operations and HTTP edges', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('ops');
    instance = await startApp(databaseUrl);
    url = instance.url;
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('serves /healthz and /readyz without a token', async () => {
    expect((await call(url, 'GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    const ready = await call(url, 'GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', transport: { status: 'ok' } });
  });

  it('serves Prometheus metrics: process metrics and the HTTP duration histogram by route and status', async () => {
    await call(url, 'GET', '/api/v1/tokens');
    await call(url, 'GET', '/api/v1/tokens', { token: 'wrong' });
    const res = await call(url, 'GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('sitrep_process_cpu_seconds_total');
    expect(res.text).toMatch(
      /sitrep_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/tokens"[^}]*status_code="200"/,
    );
    expect(res.text).toMatch(
      /sitrep_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/tokens"[^}]*status_code="401"/,
    );
  });

  it('serves the OpenAPI document and its UI', async () => {
    const json = await call(url, 'GET', '/docs-json', { token: null });
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/api/v1/tokens', '/api/v1/integrations']));
    const ui = await call(url, 'GET', '/docs', { token: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await call(url, 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(typeof res.body.message).toBe('string');
  });

  it('answers malformed and truncated JSON with 400 in the error shape', async () => {
    for (const raw of ['{"name": "x", "role": ', '{name: x}', '[1,2', '{"__proto__": {"admin": true}}']) {
      const res = await call(url, 'POST', '/api/v1/tokens', { raw, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('answers a non-JSON body with 415', async () => {
    const form = await call(url, 'POST', '/api/v1/tokens', {
      raw: 'name=x&role=admin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ statusCode: 415 });
    const text = await call(url, 'POST', '/api/v1/tokens', { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('answers a body over 1 MiB on the API with 413 in the error shape', async () => {
    const raw = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), role: 'viewer' });
    const res = await call(url, 'POST', '/api/v1/tokens', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('answers 413 to a chunked upload over the limit, while the client is still sending', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent > 8 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('/readyz follows the database', () => {
  it('turns 503 with Retry-After when PostgreSQL is unreachable, and 200 again when it is back', async () => {
    const databaseUrl = await createTestDatabase('readyz');
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const instance = await startApp(viaProxy.toString());
    try {
      expect((await call(instance.url, 'GET', '/readyz', { token: null })).status).toBe(200);
      proxy.disconnect();
      const down = await eventually(
        async () => {
          const res = await call(instance.url, 'GET', '/readyz', { token: null });
          return res.status === 503 ? res : undefined;
        },
        { message: '/readyz 503' },
      );
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(down.body.checks.database).toMatch(/unreachable/);
      // The process stays up.
      expect((await call(instance.url, 'GET', '/healthz', { token: null })).status).toBe(200);
      proxy.reconnect();
      await eventually(async () => (await call(instance.url, 'GET', '/readyz', { token: null })).status === 200, {
        message: '/readyz 200 again',
      });
    } finally {
      proxy.reconnect();
      await instance.close();
      await proxy.stop();
      await dropTestDatabase(databaseUrl);
    }
  });
});

describe('INGEST_BODY_LIMIT', () => {
  it('sets the ingest endpoints’ limit without touching the 1 MiB API limit', async () => {
    const databaseUrl = await createTestDatabase('ingestlimit');
    const instance = await startApp(databaseUrl, { INGEST_BODY_LIMIT: '4096' });
    try {
      const big = JSON.stringify({ version: '4', padding: 'x'.repeat(5000) });
      for (const path of ['/api/v1/alerts/alertmanager', '/v2/enqueue', '/v2/change/enqueue']) {
        const res = await call(instance.url, 'POST', path, {
          token: 'k',
          raw: big,
          headers: { 'content-type': 'application/json' },
        });
        expect([path, res.status]).toEqual([path, 413]);
      }
      // Under the ingest limit, the body is read and judged on its merits (here: no such key).
      const small = await call(instance.url, 'POST', '/api/v1/alerts/alertmanager', {
        token: 'k',
        body: { version: '4' },
      });
      expect(small.status).toBe(401);
      // The API limit stays 1 MiB: 5 KB is fine there.
      const api = await call(instance.url, 'POST', '/api/v1/tokens', {
        raw: JSON.stringify({ name: 'x'.repeat(90), role: 'viewer', pad: 'y'.repeat(5000) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(api.status).toBe(400);
      expect(api.body.details.map((d: any) => d.path)).toContain('pad');
    } finally {
      await instance.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
