import { Client, Notification } from 'pg';
import { OUTBOX_RELAY, type OutboxRelay } from '../../src/platform/messaging/outbox-relay';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { call, startApp, TestApp } from '../support/app';

describe('the composition root wires the incident outbox to the relay', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let db: Client;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('outbox_wiring');
    instance = await startApp(databaseUrl);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('ships a declared incident’s events to the incident-events topic, keyed by incident, and marks them', async () => {
    const declared = await call(instance.url, 'POST', '/api/v1/incidents', {
      body: { title: 'relay wiring', severity: 'SEV3' },
    });
    expect(declared.status).toBe(201);
    const id: string = declared.body.id;

    await eventually(
      async () =>
        (await db.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND NOT published`, [id])).rowCount === 0,
      { message: 'events marked published' },
    );
    const { rows } = await db.query(
      `SELECT topic, key, value FROM transport_messages WHERE key = $1 AND topic LIKE '%incident-events' ORDER BY "offset"`,
      [id],
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(rows[0].value.toString())).toMatchObject({ incidentId: id, seq: 1, type: 'incident.declared' });
  });

  // Every NOTIFY takes a database-wide lock at commit: a command on the instance whose relay
  // leads wakes it in process, and only a command elsewhere pays for pg_notify.
  it('sends pg_notify only from an instance whose relay does not lead; both instances\' commands are shipped', async () => {
    const other = await startApp(databaseUrl);
    const listener = new Client({ connectionString: databaseUrl });
    try {
      await listener.connect();
      const heard: string[] = [];
      listener.on('notification', (n: Notification) => heard.push(n.payload ?? ''));
      await listener.query('LISTEN sitrep_outbox');
      const relayOf = (app: TestApp) => app.app.get<OutboxRelay>(OUTBOX_RELAY);
      await eventually(() => relayOf(instance).isLeader || relayOf(other).isLeader, { message: 'a leading relay' });
      const [leading, following] = relayOf(instance).isLeader ? [instance, other] : [other, instance];
      const published = (id: string) =>
        eventually(
          async () =>
            (await db.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND published`, [id])).rows[0].n > 0,
          { message: `events of ${id} published` },
        );

      const onLeader = await call(leading.url, 'POST', '/api/v1/incidents', { body: { title: 'on the leader', severity: 'SEV3' } });
      await published(onLeader.body.id);
      // Notifications arrive in commit order: anything the leader's commit sent comes before this.
      await db.query(`NOTIFY sitrep_outbox, 'marker'`);
      await eventually(() => heard.includes('marker'), { message: 'the marker' });
      expect(heard).toEqual(['marker']);

      const onFollower = await call(following.url, 'POST', '/api/v1/incidents', { body: { title: 'on the follower', severity: 'SEV3' } });
      await published(onFollower.body.id);
      await eventually(() => heard.length === 2, { message: "the follower's notify" });
      expect(heard).toEqual(['marker', '']);
    } finally {
      await listener.end();
      await other.close();
    }
  });
});
