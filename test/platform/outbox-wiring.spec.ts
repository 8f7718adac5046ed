import { Client } from 'pg';
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
});
