import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IncidentCommands } from '../../src/incidents';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';

// The alert consumer declares a storm's incidents together (one append, which draws their numbers)
// and attaches alerts to the open ones together (one load, one append). What each incident
// ends up as must not differ from one command at a time.
describe('Several incidents in one transaction (IncidentCommands.declareAll / actAll)', () => {
  let databaseUrl: string;
  let app: TestApp;
  let commands: IncidentCommands;
  let db: DataSource;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('several_at_once');
    app = await startApp(databaseUrl);
    commands = app.app.get(IncidentCommands);
    db = app.app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  const attach = (alertId: string) => (incident: any, ctx: any) =>
    incident.attachAlert({ alertId, source: 'alertmanager', identity: alertId.slice(0, 16), severity: 'SEV1', firing: true }, ctx);

  it('gives each incident its own number, row and events, read back like any other incident', async () => {
    const declared = await db.transaction((tx) =>
      commands.declareAll(
        ['disk full on db-1', 'disk full on db-2', 'disk full on db-3'].map((title) => ({
          input: { title, severity: 'SEV1' as const, source: 'alert' as const, service: 'db', groupKey: title },
          then: attach(randomUUID()),
        })),
        { actor: 'system', tx },
      ),
    );
    expect(declared).toHaveLength(3);
    const numbers = declared.map((d) => d.incident.number);
    expect(new Set(numbers).size).toBe(3);
    for (const d of declared) {
      expect(d.events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'incident.declared'],
        [2, 'alert.attached'],
      ]);
      const read = await call(app.url, 'GET', `/api/v1/incidents/${d.incident.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        number: d.incident.number,
        title: d.incident.title,
        severity: 'SEV1',
        status: 'triggered',
        service: 'db',
        version: 2,
        alerts: { total: 1, firing: 1 },
      });
      const timeline = await call(app.url, 'GET', `/api/v1/incidents/${d.incident.id}/timeline`);
      expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual(['incident.declared', 'alert.attached']);
    }
  });

  it('writes an incident whose first events add an action item the same way (action items and all)', async () => {
    const itemId = randomUUID();
    const [plain, withItem] = await db.transaction((tx) =>
      commands.declareAll(
        [
          { input: { title: 'plain', severity: 'SEV3' as const, source: 'manual' as const } },
          {
            input: { title: 'with a follow-up', severity: 'SEV3' as const, source: 'manual' as const },
            then: (incident: any, ctx: any) => incident.addActionItem(itemId, { title: 'rotate the disk alarms' }, ctx),
          },
        ],
        { actor: 'alice', tx },
      ),
    );
    expect(plain.incident.version).toBe(1);
    const read = await call(app.url, 'GET', `/api/v1/incidents/${withItem.incident.id}`);
    expect(read.body.version).toBe(2);
    // The aggregate reads the item back from its table: a later command on it works.
    const done = await call(app.url, 'PATCH', `/api/v1/incidents/${withItem.incident.id}/action-items/${itemId}`, {
      body: { status: 'done' },
    });
    expect(done.status).toBe(200);
    expect((await call(app.url, 'GET', `/api/v1/incidents/${withItem.incident.id}`)).body.version).toBe(3);
  });

  it('commits nothing when the transaction fails', async () => {
    const id = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await commands.declareAll([{ input: { id, title: 'rolled back', severity: 'SEV2' as const, source: 'manual' as const } }], {
          actor: 'system',
          tx,
        });
        throw new Error('the batch failed after declaring');
      }),
    ).rejects.toThrow('the batch failed');
    expect((await call(app.url, 'GET', `/api/v1/incidents/${id}`)).status).toBe(404);
  });

  it('acts on several open incidents with one load and one append, an incident acted on twice included', async () => {
    const [a, b] = await Promise.all(
      ['api latency', 'queue depth'].map(async (title) => (await call(app.url, 'POST', '/api/v1/incidents', { body: { title, severity: 'SEV1' } })).body),
    );
    const results = await db.transaction((tx) =>
      commands.actAll(
        [
          { incidentId: a.id, decide: attach(randomUUID()) },
          { incidentId: b.id, decide: attach(randomUUID()) },
          { incidentId: a.id, decide: (incident: any, ctx: any) => (incident.acknowledge(null, ctx), 'acknowledged') },
        ],
        { actor: 'system', tx },
      ),
    );
    expect(results.map((r) => r.result)).toEqual([undefined, undefined, 'acknowledged']);
    expect(results[0].events.map((e) => [e.seq, e.type])).toEqual([
      [2, 'alert.attached'],
      [3, 'incident.acknowledged'],
    ]);
    expect(results[1].events.map((e) => [e.seq, e.type])).toEqual([[2, 'alert.attached']]);
    const readA = (await call(app.url, 'GET', `/api/v1/incidents/${a.id}`)).body;
    expect(readA).toMatchObject({ version: 3, status: 'acknowledged', alerts: { total: 1, firing: 1 } });
    expect((await call(app.url, 'GET', `/api/v1/incidents/${b.id}`)).body).toMatchObject({ version: 2, status: 'triggered' });
    const timeline = await call(app.url, 'GET', `/api/v1/incidents/${a.id}/timeline`);
    expect(timeline.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    // A later single command reads what actAll wrote.
    expect((await call(app.url, 'POST', `/api/v1/incidents/${a.id}/resolve`, { body: {} })).status).toBe(200);
  });

  it('fails the whole transaction on an unknown incident, writing nothing', async () => {
    const known = (await call(app.url, 'POST', '/api/v1/incidents', { body: { title: 'known', severity: 'SEV3' } })).body;
    await expect(
      db.transaction((tx) =>
        commands.actAll(
          [
            { incidentId: known.id, decide: attach(randomUUID()) },
            { incidentId: randomUUID(), decide: attach(randomUUID()) },
          ],
          { actor: 'system', tx },
        ),
      ),
    ).rejects.toMatchObject({ kind: 'not_found' });
    expect((await call(app.url, 'GET', `/api/v1/incidents/${known.id}`)).body.version).toBe(1);
  });
});
