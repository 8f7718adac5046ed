import { createTestDatabase, dropTestDatabase } from '../support/database';
import { call, startApp, TestApp } from '../support/app';
import { tokenFor } from './support';

describe('listing incidents and the responders directory', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
  const services = ['checkout', 'search', 'payments'];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('list');
    instance = await startApp(databaseUrl);
    url = instance.url;
    // 250 incidents, 10 at a time; every 5th acknowledged, every 7th resolved.
    for (let batch = 0; batch < 25; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const i = batch * 10 + j;
          const res = await call(url, 'POST', '/api/v1/incidents', {
            body: { title: `incident ${i}`, severity: severities[i % 4], service: services[i % 3] },
          });
          if (i % 7 === 0) await call(url, 'POST', `/api/v1/incidents/${res.body.id}/resolve`);
          else if (i % 5 === 0) await call(url, 'POST', `/api/v1/incidents/${res.body.id}/acknowledge`);
        }),
      );
    }
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  async function all(query: string) {
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await call(url, 'GET', `/api/v1/incidents?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { seen, pages };
  }

  it('pages through all 250 newest first, each exactly once', async () => {
    const { seen, pages } = await all('limit=40');
    expect(seen).toHaveLength(250);
    expect(pages).toBe(7);
    expect(new Set(seen.map((i) => i.id)).size).toBe(250);
    for (let k = 1; k < seen.length; k++) {
      const a = seen[k - 1];
      const b = seen[k];
      expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id)).toBe(true);
    }
    const first = await call(url, 'GET', '/api/v1/incidents');
    expect(first.body.items).toHaveLength(50);
  });

  it('filters by status, severity and service, alone and combined, across pages', async () => {
    const resolved = (await all('status=resolved&limit=7')).seen;
    expect(resolved).toHaveLength(Array.from({ length: 250 }, (_, i) => i).filter((i) => i % 7 === 0).length);
    expect(resolved.every((i) => i.status === 'resolved')).toBe(true);

    const open = (await all('status=triggered,acknowledged&limit=50')).seen;
    expect(open).toHaveLength(250 - resolved.length);

    const sev1Checkout = (await all('severity=SEV1&service=checkout&limit=9')).seen;
    const expected = Array.from({ length: 250 }, (_, i) => i).filter((i) => i % 4 === 0 && i % 3 === 0);
    expect(sev1Checkout.map((i) => i.title).sort()).toEqual(expected.map((i) => `incident ${i}`).sort());

    const ack = (await all('status=acknowledged&severity=SEV2,SEV4&service=search')).seen;
    const expectedAck = Array.from({ length: 250 }, (_, i) => i).filter(
      (i) => i % 5 === 0 && i % 7 !== 0 && i % 2 === 1 && i % 3 === 1,
    );
    expect(ack.map((i) => i.title).sort()).toEqual(expectedAck.map((i) => `incident ${i}`).sort());
  });

  it('rejects bad list queries with 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['status=open', 'status'],
      ['severity=P1', 'severity'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['sort=asc', 'sort'],
    ];
    for (const [query, field] of cases) {
      const res = await call(url, 'GET', `/api/v1/incidents?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.details.map((d: any) => d.path)).toContain(field);
    }
  });

  it('keeps a responders directory that admins write and everyone reads', async () => {
    const responder = await tokenFor(url, 'erin', 'responder');
    const viewer = await tokenFor(url, 'wallboard', 'viewer');
    const put = await call(url, 'PUT', '/api/v1/responders/alice', {
      body: { name: 'Alice Example', email: 'alice@example.com', slackUserId: 'U024BE7LH' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ handle: 'alice', name: 'Alice Example', email: 'alice@example.com', slackUserId: 'U024BE7LH' });
    const again = await call(url, 'PUT', '/api/v1/responders/alice', { body: { name: 'Alice E.' } });
    expect(again.body).toMatchObject({ handle: 'alice', name: 'Alice E.', email: null, slackUserId: null });
    await call(url, 'PUT', '/api/v1/responders/bob', { body: { name: 'Bob' } });

    expect((await call(url, 'PUT', '/api/v1/responders/mallory', { token: responder, body: { name: 'M' } })).status).toBe(403);
    const listed = await call(url, 'GET', '/api/v1/responders', { token: viewer });
    expect(listed.body.items.map((r: any) => r.handle)).toEqual(['alice', 'bob']);
    expect((await call(url, 'GET', '/api/v1/responders/bob', { token: responder })).body.name).toBe('Bob');
    expect((await call(url, 'GET', '/api/v1/responders/nobody', { token: viewer })).status).toBe(404);

    const bad: Array<[unknown, string]> = [
      [{ name: '' }, 'name'],
      [{ name: 'x', email: 'not-mail' }, 'email'],
      [{ name: 'x', slackUserId: 'alice' }, 'slackUserId'],
    ];
    for (const [body, field] of bad) {
      const res = await call(url, 'PUT', '/api/v1/responders/zed', { body });
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe(field);
    }
    expect((await call(url, 'PUT', '/api/v1/responders/two%20words', { body: { name: 'x' } })).status).toBe(400);
  });
});
