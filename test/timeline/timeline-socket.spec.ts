import { Client } from 'pg';
import { io } from 'socket.io-client';
import { TimelineFanout } from '../../src/timeline/timeline-fanout.consumer';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { addNote, addNotes, declareIncident, lastSeq, metricValue, range, TimelineClient } from './timeline-support';

describe('timeline over socket.io (one instance, in-process transport)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  const clients: TimelineClient[] = [];

  async function connect(...args: Parameters<typeof TimelineClient.connect>): Promise<TimelineClient> {
    const client = await TimelineClient.connect(...args);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('timeline_socket');
    instance = await startApp(databaseUrl);
    url = instance.url;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('refuses a missing or bad token with connect_error, and accepts any role', async () => {
    await expect(TimelineClient.connect(url, 'not-a-token')).rejects.toMatchObject({
      message: 'Unauthorized',
      data: { code: 'AUTH_INVALID' },
    });
    await expect(TimelineClient.connect(url, null)).rejects.toMatchObject({
      message: 'Unauthorized',
      data: { code: 'AUTH_REQUIRED' },
    });
    // Over long polling too (the transport a browser starts with).
    await expect(TimelineClient.connect(url, 'not-a-token', { transports: ['polling'] })).rejects.toMatchObject({
      message: 'Unauthorized',
    });

    // The default namespace serves nothing and is refused even with a good token.
    const root = io(url, {
      path: '/socket.io',
      auth: { token: ADMIN_TOKEN },
      reconnection: false,
      forceNew: true,
      transports: ['websocket'],
    });
    try {
      const outcome = new Promise((resolve, reject) => {
        root.once('connect', () => resolve('connected'));
        root.once('connect_error', reject);
      });
      await expect(outcome).rejects.toMatchObject({ data: { code: 'WRONG_NAMESPACE' } });
    } finally {
      root.close();
    }

    const viewer = (await call(url, 'POST', '/api/v1/tokens', { body: { name: 'wallboard', role: 'viewer' } })).body
      .token;
    const client = await connect(url, viewer, { transports: ['polling', 'websocket'] });
    const incidentId = await declareIncident(url);
    expect(await client.subscribe(incidentId)).toEqual({ ok: true });
    await client.waitFor(incidentId, 1);
  });

  it('acknowledges subscribe, and refuses invalid input and unknown incidents in the ack', async () => {
    const client = await connect(url);
    const incidentId = await declareIncident(url);
    expect(await client.subscribe(incidentId)).toEqual({ ok: true });
    expect(await client.subscribe('00000000-0000-4000-8000-000000000000')).toMatchObject({
      ok: false,
      code: 'INCIDENT_NOT_FOUND',
      error: expect.any(String),
    });
    expect(await client.subscribe('nope')).toMatchObject({ ok: false, code: 'INCIDENT_NOT_FOUND' });
    expect(await client.subscribe(incidentId, -1)).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
      error: expect.stringContaining('after'),
    });
    expect(await client.subscribe(incidentId, 1.5)).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    for (const body of [undefined, 'x', [incidentId], { incidentId: 42 }, { after: 3 }]) {
      expect(await client.socket.timeout(5000).emitWithAck('subscribe', body)).toMatchObject({
        ok: false,
        code: 'INVALID_REQUEST',
      });
    }
    // The connection is still usable afterwards.
    await client.waitFor(incidentId, 1);
  });

  it('replays the timeline after `after`, then sends live entries, each once and in order', async () => {
    const incidentId = await declareIncident(url);
    await addNotes(url, incidentId, 9); // seq 2..10
    const client = await connect(url);
    expect(await client.subscribe(incidentId, 4)).toEqual({ ok: true });
    await client.waitFor(incidentId, 10);
    const written = await addNotes(url, incidentId, 10, 3); // seq 11..20
    await client.waitFor(incidentId, 20);
    expect(client.seqs(incidentId)).toEqual(range(5, 20));
    const live = client.of(incidentId).find((e) => e.seq === 15);
    expect(live).toEqual(written.find((e) => e.seq === 15));
    expect(live).toMatchObject({
      incidentId,
      type: 'note.added',
      actor: 'admin',
      data: expect.objectContaining({ text: expect.any(String) }),
    });

    // Without `after`, the whole timeline.
    const fresh = await connect(url);
    expect(await fresh.subscribe(incidentId)).toEqual({ ok: true });
    await fresh.waitFor(incidentId, 20);
    expect(fresh.seqs(incidentId)).toEqual(range(1, 20));
  });

  it('resumes after a disconnect with exactly the entries missed', async () => {
    const incidentId = await declareIncident(url);
    await addNotes(url, incidentId, 4);
    const first = await connect(url);
    await first.subscribe(incidentId);
    await first.waitFor(incidentId, 5);
    const lastSeen = Math.max(...first.seqs(incidentId));
    first.close();

    await addNotes(url, incidentId, 50, 5); // seq 6..55, written while nobody listens

    const again = await connect(url);
    expect(await again.subscribe(incidentId, lastSeen)).toEqual({ ok: true });
    await again.waitFor(incidentId, 55);
    // One more live entry: it arrives after anything the resume could have sent twice.
    await addNote(url, incidentId, 'back online');
    await again.waitFor(incidentId, 56);
    expect(again.seqs(incidentId)).toEqual(range(6, 56));
  });

  it('loses and repeats nothing when writes race the replay', async () => {
    const incidentId = await declareIncident(url);
    await addNotes(url, incidentId, 599, 20); // a replay of several pages
    const client = await connect(url);
    let done = 0;
    const writes = Promise.all(range(1, 100).map((i) => addNote(url, incidentId, `racing ${i}`).then(() => done++)));
    // Subscribe while the writes are landing: some precede the replay's reads, some follow them.
    await eventually(() => done >= 10, { message: 'the first writes' });
    expect(await client.subscribe(incidentId)).toEqual({ ok: true });
    await writes;
    const last = await lastSeq(url, incidentId);
    expect(last).toBe(700);
    await client.waitFor(incidentId, last);
    await addNote(url, incidentId, 'after the race');
    await client.waitFor(incidentId, last + 1);
    expect(client.seqs(incidentId)).toEqual(range(1, last + 1));
  });

  it('several subscribers of one incident, joining at different points, each get their own exact sequence', async () => {
    const incidentId = await declareIncident(url);
    const a = await connect(url);
    await a.subscribe(incidentId);
    const racing = addNotes(url, incidentId, 60, 6);
    const b = await connect(url);
    await b.subscribe(incidentId, 3);
    await racing;
    await a.waitFor(incidentId, 61);
    await b.waitFor(incidentId, 61);
    expect(a.seqs(incidentId)).toEqual(range(1, 61));
    expect(b.seqs(incidentId)).toEqual(range(4, 61));
  });

  it('`*` gets every incident live (no replay) with `incident` snapshots', async () => {
    // An incident whose entries went through the live tail before the subscription below.
    const probe = await connect(url);
    await probe.subscribe('*');
    const before = await declareIncident(url, 'Before the subscription');
    await probe.waitFor(before, 1);
    const all = await connect(url);
    expect(await all.subscribe('*')).toEqual({ ok: true });
    const one = await declareIncident(url, 'Payments latency');
    const two = await declareIncident(url, 'Search down');
    await addNotes(url, one, 3); // seq 2..4
    const ack = await call(url, 'POST', `/api/v1/incidents/${two}/acknowledge`, { body: {} });
    expect(ack.status).toBe(200);

    await all.waitFor(one, 4);
    await all.waitFor(two, ack.body.version);
    expect(all.seqs(one)).toEqual(range(1, 4));
    expect(all.seqs(two)).toEqual(range(1, ack.body.version));
    expect(all.of(before)).toEqual([]);

    await eventually(() => all.snapshots.some((s) => s.id === two && s.status === 'acknowledged'), {
      message: 'snapshot of the acknowledged incident',
    });
    await eventually(() => all.snapshots.some((s) => s.id === one && s.version === 4), {
      message: 'snapshot of incident one at version 4',
    });
    const snapshot = all.snapshots.find((s) => s.id === two && s.status === 'acknowledged');
    expect(snapshot).toEqual((await call(url, 'GET', `/api/v1/incidents/${two}`)).body);
    expect(snapshot).toMatchObject({
      id: two,
      number: expect.any(Number),
      title: 'Search down',
      severity: 'SEV2',
      roles: expect.objectContaining({ commander: 'admin' }),
      alerts: { total: 0, firing: 0 },
    });
    // Snapshots of one incident never go back in version.
    for (const id of [one, two]) {
      const versions = all.snapshots.filter((s) => s.id === id).map((s) => s.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(new Set(versions).size).toBe(versions.length);
    }
  });

  it('unsubscribe stops delivery', async () => {
    const quiet = await declareIncident(url, 'To be muted');
    const loud = await declareIncident(url, 'Still followed');
    const client = await connect(url);
    await client.subscribe(quiet);
    await client.subscribe(loud);
    await client.waitFor(quiet, 1);
    await client.waitFor(loud, 1);
    expect(await client.unsubscribe(quiet)).toEqual({ ok: true });
    await addNote(url, quiet, 'nobody hears this');
    await addNote(url, loud, 'but this');
    await client.waitFor(loud, 2);
    expect(client.seqs(quiet)).toEqual([1]);

    expect(await client.subscribe('*')).toEqual({ ok: true });
    expect(await client.unsubscribe('*')).toEqual({ ok: true });
    await addNote(url, quiet, 'still nobody');
    await addNote(url, loud, 'and this');
    await client.waitFor(loud, 3);
    expect(client.seqs(quiet)).toEqual([1]);
    expect(client.snapshots).toEqual([]);
    expect(await client.unsubscribe('not-subscribed-' as string)).toMatchObject({ ok: false });
  });

  it('delivers what this instance published before its tail brings it back, and the tail repeats nothing', async () => {
    const early = await metricValue(url, 'sitrep_timeline_entries_early_total');
    const all = await connect(url);
    await all.subscribe('*');
    const fresh = await declareIncident(url, 'Declared while watched');
    const watched = await connect(url);
    await watched.subscribe(fresh, 0);
    await addNotes(url, fresh, 5); // seq 2..6
    await all.waitFor(fresh, 6);
    await watched.waitFor(fresh, 6);
    // The tail has read past every published entry: whatever it was going to repeat, it has.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const groupId = instance.app.get(TimelineFanout).groupId;
      await eventually(
        async () => {
          const { rows } = await db.query(
            `SELECT (SELECT "offset" FROM transport_offsets WHERE group_id = $1) >=
                    (SELECT max("offset") FROM transport_messages WHERE topic LIKE '%incident-events') AS caught_up`,
            [groupId],
          );
          return rows[0].caught_up === true;
        },
        { message: 'the timeline tail past the last entry' },
      );
    } finally {
      await db.end();
    }
    expect(all.seqs(fresh)).toEqual(range(1, 6));
    expect(watched.seqs(fresh)).toEqual(range(1, 6));
    expect(await metricValue(url, 'sitrep_timeline_entries_early_total')).toBeGreaterThan(early);
  });

  it('exposes connected clients and emitted entries as metrics', async () => {
    const baseline = await metricValue(url, 'sitrep_timeline_entries_emitted_total');
    const incidentId = await declareIncident(url);
    const a = await connect(url);
    const b = await connect(url);
    await eventually(async () => (await metricValue(url, 'sitrep_timeline_connected_clients')) === 2, {
      message: 'two clients in the gauge',
    });
    await a.subscribe(incidentId);
    await b.subscribe(incidentId);
    await addNote(url, incidentId, 'counted');
    await a.waitFor(incidentId, 2);
    await b.waitFor(incidentId, 2);
    expect(await metricValue(url, 'sitrep_timeline_entries_emitted_total')).toBe(baseline + 4);
    a.close();
    b.close();
    await eventually(async () => (await metricValue(url, 'sitrep_timeline_connected_clients')) === 0, {
      message: 'gauge back to 0',
    });
  });

  it('disconnects its clients promptly when an instance shuts down, even one that stopped reading', async () => {
    const other = await startApp(databaseUrl);
    try {
      const incidentId = await declareIncident(url);
      const onWebSocket = await TimelineClient.connect(other.url);
      const onPolling = await TimelineClient.connect(other.url, undefined, { transports: ['polling'] });
      const stalled = await TimelineClient.connect(other.url);
      clients.push(onWebSocket, onPolling, stalled);
      for (const client of [onWebSocket, onPolling, stalled]) {
        await client.subscribe(incidentId);
        await client.waitFor(incidentId, 1);
      }
      (stalled.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
      const reasons: string[] = [];
      for (const client of [onWebSocket, onPolling]) client.socket.on('disconnect', (reason) => reasons.push(reason));
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(3000);
      await eventually(() => reasons.length === 2, { message: 'both clients to see the disconnect' });

      // The survivor serves the resume.
      await addNote(url, incidentId, 'after the shutdown');
      const resumed = await connect(url);
      await resumed.subscribe(incidentId, 1);
      await resumed.waitFor(incidentId, 2);
      expect(resumed.seqs(incidentId)).toEqual([2]);
    } finally {
      await other.close();
    }
  });
});
