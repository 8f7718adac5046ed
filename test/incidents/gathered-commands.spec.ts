import { DataSource } from 'typeorm';
import { IncidentCommands } from '../../src/incidents';
import { NUMBER_DRAWN_ON_WRITE } from '../../src/incidents/domain';
import { IncidentStore } from '../../src/incidents/persistence/incident.store';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';

// Commands sent while others are under way are gathered: one load and one statement for many
// incidents. What each caller gets, and what each incident ends up as, must not differ from
// one command at a time.
describe('Gathered incident commands (group commit)', () => {
  let databaseUrl: string;
  let app: TestApp;
  let commands: IncidentCommands;
  let store: IncidentStore;
  let db: DataSource;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('gathered_commands');
    app = await startApp(databaseUrl);
    commands = app.app.get(IncidentCommands);
    store = app.app.get(IncidentStore);
    db = app.app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  const declareMany = (n: number, prefix: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        commands.declare({ title: `${prefix} ${i}`, severity: 'SEV2', source: 'manual' }, { actor: 'alice' }),
      ),
    );

  async function timelineOf(id: string): Promise<Array<[number, string]>> {
    const rows = (await db.query(`SELECT seq, type FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [
      id,
    ])) as Array<{
      seq: number;
      type: string;
    }>;
    return rows.map((r) => [r.seq, r.type]);
  }

  it('declares concurrent incidents together, each with its own number, row and events', async () => {
    const declared = await declareMany(60, 'checkout 5xx');
    expect(store.gatheredLargest.declarations).toBeGreaterThan(1);
    expect(new Set(declared.map((d) => d.incident.number)).size).toBe(60);
    expect(Math.max(...declared.map((d) => d.incident.number)) - Math.min(...declared.map((d) => d.incident.number))).toBe(59);
    // The sequence stops below the placeholder, so a drawn number is never mistaken for it.
    const [sequence] = (await db.query(
      `SELECT max_value::text AS max FROM pg_sequences WHERE sequencename = 'incident_number_seq'`,
    )) as Array<{ max: string }>;
    expect(Number(sequence.max)).toBe(NUMBER_DRAWN_ON_WRITE - 1);
    // One alone too (an idle store runs the first command at once, on its own).
    const [alone] = await declareMany(1, 'alone');
    for (const d of [...declared, alone]) {
      expect(d.events.map((e) => [e.seq, e.type])).toEqual([[1, 'incident.declared']]);
      expect(await timelineOf(d.incident.id)).toEqual([[1, 'incident.declared']]);
      // The number is drawn by the statement that writes the declaration: the aggregate, the
      // event as returned and as stored, and the row all carry that one.
      expect(d.incident.number).toBeGreaterThan(0);
      expect(d.incident.number).toBeLessThan(NUMBER_DRAWN_ON_WRITE);
      expect(d.events[0].data.number).toBe(d.incident.number);
      const [stored] = (await db.query(
        `SELECT (data->>'number')::int AS number FROM incident_events WHERE incident_id = $1 AND seq = 1`,
        [d.incident.id],
      )) as Array<{ number: number }>;
      expect(stored.number).toBe(d.incident.number);
      const read = await call(app.url, 'GET', `/api/v1/incidents/${d.incident.id}`);
      expect(read.body).toMatchObject({
        number: d.incident.number,
        title: d.incident.title,
        version: 1,
        status: 'triggered',
      });
    }
  });

  it('acts on concurrent incidents together; a refused, an unknown and a stale command fail alone', async () => {
    const declared = await declareMany(40, 'payments latency');
    const ids = declared.map((d) => d.incident.id);
    // Resolved first: acknowledging it afterwards is refused by the aggregate.
    await commands.act(ids[0], { actor: 'alice' }, (incident, ctx) => incident.resolve('fixed', ctx));

    const outcomes = await Promise.allSettled([
      ...ids
        .slice(1)
        .map((id) => commands.act(id, { actor: 'bob' }, (incident, ctx) => incident.acknowledge('looking', ctx))),
      commands.act(ids[0], { actor: 'bob' }, (incident, ctx) => incident.acknowledge('looking', ctx)),
      commands.act('00000000-0000-4000-8000-000000000000', { actor: 'bob' }, (incident, ctx) =>
        incident.acknowledge(null, ctx),
      ),
      commands.act(ids[1], { actor: 'bob', expectedVersion: 1 }, (incident, ctx) =>
        incident.addNote('n-stale', 'stale', false, ctx),
      ),
    ]);
    expect(store.gatheredLargest.commands).toBeGreaterThan(1);

    const acknowledged = outcomes.slice(0, 39);
    for (const [i, outcome] of acknowledged.entries()) {
      expect(outcome.status).toBe('fulfilled');
      const value = (outcome as PromiseFulfilledResult<Awaited<ReturnType<IncidentCommands['act']>>>).value;
      expect(value.incident.id).toBe(ids[i + 1]);
      expect(value.events[0]).toMatchObject({ seq: 2, type: 'incident.acknowledged' });
      expect(await timelineOf(ids[i + 1])).toEqual([
        [1, 'incident.declared'],
        ...value.events.map((e) => [e.seq, e.type]),
      ]);
    }
    const [refused, unknown, stale] = outcomes.slice(39);
    expect(refused).toMatchObject({ status: 'rejected', reason: { kind: 'conflict' } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: 'INCIDENT_NOT_FOUND' } });
    // ids[1] was at version 1 or 2 when the stale command ran: either way, never written.
    expect(stale.status).toBe('rejected');

    expect(await timelineOf(ids[0])).toEqual([
      [1, 'incident.declared'],
      [2, 'incident.resolved'],
    ]);
    const read = await call(app.url, 'GET', `/api/v1/incidents/${ids[5]}`);
    const fifth = (acknowledged[4] as PromiseFulfilledResult<Awaited<ReturnType<IncidentCommands['act']>>>).value;
    expect(read.body).toMatchObject({ status: 'acknowledged', version: fifth.events[fifth.events.length - 1].seq });
  });

  it('keeps every one of many concurrent commands on one incident, in a gapless order', async () => {
    const [{ incident }] = await declareMany(1, 'db failover');
    const others = await declareMany(10, 'noise');
    const notes = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) =>
        commands.act(incident.id, { actor: 'carol' }, (inc, ctx) => inc.addNote(`n-${i}`, `note ${i}`, false, ctx)),
      ),
      ...others.map((o) =>
        commands.act(o.incident.id, { actor: 'carol' }, (inc, ctx) => inc.addNote('x', 'noise', false, ctx)),
      ),
    ]);
    const seqs = notes.slice(0, 30).flatMap((n) => n.events.map((e) => e.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    const timeline = await timelineOf(incident.id);
    expect(timeline).toHaveLength(31);
    expect(timeline.map(([seq]) => seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    const read = await call(app.url, 'GET', `/api/v1/incidents/${incident.id}`);
    expect(read.body.version).toBe(31);
  });

  it('fails the callers of a gathered statement that committed but got no answer, and writes nothing twice', async () => {
    const declared = await declareMany(12, 'lost reply');
    const manager = db.manager;
    const query = manager.query.bind(manager);
    let dropped = 0;
    // The statement commits, then the connection drops before its answer arrives.
    manager.query = (async (sql: string, params?: unknown[]) => {
      const result = await query(sql, params);
      if (dropped === 0 && sql.includes('json_populate_recordset') && sql.includes('INSERT INTO incident_events')) {
        dropped++;
        throw new Error('Connection terminated unexpectedly');
      }
      return result;
    }) as typeof manager.query;
    let outcomes: Array<PromiseSettledResult<unknown>>;
    try {
      outcomes = await Promise.allSettled(
        declared.map((d) =>
          commands.act(d.incident.id, { actor: 'frank' }, (inc, ctx) => inc.addNote('once', 'only once', false, ctx)),
        ),
      );
    } finally {
      manager.query = query;
    }
    expect(dropped).toBe(1);
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(failed.length).toBeGreaterThan(1); // the gathered ones
    for (const f of failed) expect(String(f.reason)).toContain('Connection terminated');
    // Every note is there exactly once: the ones whose callers saw the error too.
    for (const d of declared)
      expect(await timelineOf(d.incident.id)).toEqual([
        [1, 'incident.declared'],
        [2, 'note.added'],
      ]);
  });

  it('retries a gathered command whose incident changed under it, without losing either change', async () => {
    const declared = await declareMany(20, 'queue backlog');
    // A transaction holds one incident's row and appends to it while gathered commands load it.
    const target = declared[0].incident.id;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const competing = db.transaction(async (tx) => {
      await commands.act(target, { actor: 'dave', tx }, (inc, ctx) =>
        inc.addNote('held', 'from a transaction', false, ctx),
      );
      await held;
    });
    // The target last: the first few commands start alone, the rest (the target among them) gathered.
    const order = [...declared.slice(1), declared[0]];
    const gathered = Promise.all(
      order.map((d) =>
        commands.act(d.incident.id, { actor: 'erin' }, (inc, ctx) => inc.addNote('g', 'gathered', false, ctx)),
      ),
    );
    // The gathered statement inserts seq 2 for the target too and waits on the holder's row;
    // once the holder commits, that statement fails and each command runs again on its own.
    await eventually(
      async () =>
        (
          (await db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO incident_events%'`,
          )) as Array<{ n: number }>
        )[0].n > 0,
      { message: 'a gathered statement waits on the held incident' },
    );
    release();
    await competing;
    const results = await gathered;
    expect(results).toHaveLength(20);
    expect(await timelineOf(target)).toEqual([
      [1, 'incident.declared'],
      [2, 'note.added'],
      [3, 'note.added'],
    ]);
    for (const d of declared.slice(1)) expect((await timelineOf(d.incident.id)).map(([seq]) => seq)).toEqual([1, 2]);
  });
});
