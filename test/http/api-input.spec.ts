import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/**
 * Bodies deep or wide enough to break the framework's recursive validation are refused with a
 * 400 naming the field, on every DTO-validated route, before class-transformer sees them
 * (a 2,000-deep array used to overflow its stack: 500).
 */
describe('API bodies of absurd shape', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let incident: string;

  const send = (method: string, path: string, raw: string) =>
    call(instance.url, method, path, { raw, headers: { 'content-type': 'application/json' } });
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('http_input');
    instance = await startApp(databaseUrl);
    const res = await call(instance.url, 'POST', '/api/v1/incidents', { body: { title: 'Shape', severity: 'SEV3' } });
    incident = res.body.id;
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it.each([
    ['POST', '/action-items', 'title', (v: string) => `{"title":${v}}`],
    ['PATCH', '', 'severity', (v: string) => `{"severity":${v}}`],
    ['PUT', '/postmortem', 'sections.rootCause', (v: string) => `{"sections":{"rootCause":${v}}}`],
  ])('%s /incidents/:id%s with %s nested 2,000 deep is a 400 naming the field', async (method, suffix, field, body) => {
    const res = await send(method, `/api/v1/incidents/${incident}${suffix}`, body(deep(2000)));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'BODY_TOO_DEEP' });
    expect(res.body.details).toHaveLength(1);
    expect(res.body.details[0].path.startsWith(`${field}[0]`)).toBe(true);
    expect(res.body.details[0].problem).toBe('is nested deeper than 32 levels');
  });

  it('refuses bodies too wide to validate quickly, naming where', async () => {
    const keys = `{${Array.from({ length: 5000 }, (_, i) => `"k${i}":0`).join(',')}}`;
    const wide = await send('POST', `/api/v1/incidents/${incident}/notes`, keys);
    expect([wide.status, wide.body.code, wide.body.details]).toEqual([
      400,
      'BODY_TOO_WIDE',
      [{ path: 'body', problem: 'has more than 1000 keys' }],
    ]);
    const items = `{"text":[${Array.from({ length: 20_000 }, () => '0').join(',')}]}`;
    const long = await send('POST', `/api/v1/incidents/${incident}/notes`, items);
    expect([long.status, long.body.details]).toEqual([400, [{ path: 'text', problem: 'has more than 10000 items' }]]);
  });

  it('lists at most 20 problems, and counts the rest', async () => {
    const keys = `{"text":"ok",${Array.from({ length: 500 }, (_, i) => `"k${i}":0`).join(',')}}`;
    const res = await send('POST', `/api/v1/incidents/${incident}/notes`, keys);
    expect(res.status).toBe(400);
    expect(res.body.details).toHaveLength(20);
    expect(res.body.message).toMatch(/\(and 480 more\)$/);
  });

  it("answers a body that is not JSON on the Events API in PagerDuty's shape, as its senders expect", async () => {
    const res = await send('POST', '/v2/enqueue', '{"routing_key":');
    expect([res.status, res.body]).toEqual([
      400,
      {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [expect.stringContaining('not valid JSON')],
      },
    ]);
    const api = await send('POST', '/api/v1/incidents', '{"title":');
    expect(api.status).toBe(400);
    expect(api.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('not valid JSON'),
    });
  });

  it('still accepts ordinary bodies, and 32 levels where a DTO allows nesting', async () => {
    const note = await call(instance.url, 'POST', `/api/v1/incidents/${incident}/notes`, { body: { text: 'fine' } });
    expect(note.status).toBe(201);
    const shallow = await send('PATCH', `/api/v1/incidents/${incident}`, `{"severity":${deep(30)}}`);
    expect([shallow.status, shallow.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
