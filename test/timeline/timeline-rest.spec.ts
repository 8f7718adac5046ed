import { ApiResponse, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { addNotes, declareIncident, range } from './timeline-support';

describe('timeline over REST: GET /api/v1/incidents/:id/timeline', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let incidentId: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('timeline_rest');
    instance = await startApp(databaseUrl);
    url = instance.url;
    incidentId = await declareIncident(url);
    await addNotes(url, incidentId, 24, 4); // seq 2..25
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('returns the entries in seq order with the contract shape, to a viewer token', async () => {
    const viewer = (await call(url, 'POST', '/api/v1/tokens', { body: { name: 'wallboard', role: 'viewer' } })).body
      .token;
    const res = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: any) => e.seq)).toEqual(range(1, 25));
    expect(res.body.nextAfter).toBeNull();
    expect(res.body.items[0]).toEqual({
      seq: 1,
      incidentId,
      type: 'incident.declared',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: 'admin',
      data: expect.any(Object),
      // v2: the entry in words, from the shared describer, as command responses have it.
      summary: 'Declared SEV2: Checkout 5xx',
      kind: 'status',
    });
    expect(res.body.items[1]).toMatchObject({ type: 'note.added', actor: 'admin', kind: 'note' });
    expect(Object.keys(res.body.items[1]).sort()).toEqual([
      'actor',
      'data',
      'incidentId',
      'kind',
      'occurredAt',
      'seq',
      'summary',
      'type',
    ]);
  });

  it('pages with after and limit; nextAfter is the last seq while more entries exist, then null', async () => {
    const seen: number[] = [];
    let after: number | null = 0;
    let pages = 0;
    while (after !== null) {
      const res: ApiResponse = await call(
        url,
        'GET',
        `/api/v1/incidents/${incidentId}/timeline?after=${after}&limit=10`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(10);
      seen.push(...res.body.items.map((e: any) => e.seq));
      after = res.body.nextAfter;
      if (after !== null) expect(after).toBe(seen[seen.length - 1]);
      pages++;
    }
    expect(seen).toEqual(range(1, 25));
    expect(pages).toBe(3);

    // A page that ends exactly at the end says so.
    const exact = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?after=15&limit=10`);
    expect(exact.body.items.map((e: any) => e.seq)).toEqual(range(16, 25));
    expect(exact.body.nextAfter).toBeNull();

    // The default limit is 100; past the end is an empty page, not an error.
    const rest = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?after=20`);
    expect(rest.body).toEqual({ items: expect.any(Array), nextAfter: null });
    expect(rest.body.items.map((e: any) => e.seq)).toEqual(range(21, 25));
    const beyond = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?after=1000`);
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual({ items: [], nextAfter: null });
  });

  it('answers 404 for an unknown incident (and for an id that is not one)', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await call(url, 'GET', `/api/v1/incidents/${id}/timeline`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'INCIDENT_NOT_FOUND' });
    }
    const afterEnd = await call(url, 'GET', `/api/v1/incidents/00000000-0000-4000-8000-000000000000/timeline?after=5`);
    expect(afterEnd.status).toBe(404);
  });

  it('answers 400 naming the field for a bad after or limit', async () => {
    const cases: Array<[string, string]> = [
      ['after=-1', 'after'],
      ['after=abc', 'after'],
      ['after=1.5', 'after'],
      ['after=99999999999', 'after'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['after=1&after=2', 'after'],
      ['before=3', 'before'],
    ];
    for (const [query, field] of cases) {
      const res = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.statusCode).toBe(400);
      expect(res.body.details.map((d: any) => d.path)).toContain(field);
    }
    expect((await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?limit=1000`)).status).toBe(200);
  });

  it('needs a token', async () => {
    const res = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline`, { token: null });
    expect(res.status).toBe(401);
  });
});
