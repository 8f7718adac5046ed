import { Client } from 'pg';
import { startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, testKafkaBrokers } from '../support/database';
import { alertmanagerBody, count, createIntegration, eventsOf, sendAlertmanager, uniquePrefix, until } from './support';

/**
 * An HA pair of Alertmanagers sends every notification twice, here to two Sitrep instances
 * that share the database and the consumer group: one incident, each alert once.
 */
describe('alert ingestion with two replicas on each side', () => {
  let databaseUrl: string;
  let a: TestApp;
  let b: TestApp;
  let db: Client;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('alerts_replicas');
    const env = { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: uniquePrefix() };
    [a, b] = await Promise.all([startApp(databaseUrl, env), startApp(databaseUrl, env)]);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await Promise.all([a?.close(), b?.close()]);
    await dropTestDatabase(databaseUrl);
  });

  it('applies the notification of both Alertmanager replicas once, whichever instance receives it', async () => {
    const am = await createIntegration(a.url, 'alertmanager', 'prod HA pair');
    const groupKey = `${am.id}:{}:{alertname="DiskFull"}`;
    const firing = alertmanagerBody('{}:{alertname="DiskFull"}', [
      { instance: 'db-1', severity: 'critical' },
      { instance: 'db-2' },
    ]);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        sendAlertmanager(a.url, am.key, firing),
        sendAlertmanager(b.url, am.key, firing),
        sendAlertmanager(b.url, am.key, firing),
      ]);
      expect(answers.map((r) => r.status)).toEqual([202, 202, 202]);
    }
    // A later notification of the group (one more alert) is applied after all of the above.
    const grown = alertmanagerBody('{}:{alertname="DiskFull"}', [
      { instance: 'db-1', severity: 'critical' },
      { instance: 'db-2' },
      { instance: 'db-3' },
    ]);
    await Promise.all([sendAlertmanager(a.url, am.key, grown), sendAlertmanager(b.url, am.key, grown)]);
    const incident = await until(
      db,
      `SELECT * FROM incidents WHERE group_key = $1`,
      [groupKey],
      (r: any) => r.alerts_total === 3,
      'the grown group',
      30000,
    );
    expect(await count(db, `SELECT count(*) AS n FROM incidents WHERE group_key = $1`, [groupKey])).toBe(1);
    expect(incident).toMatchObject({ severity: 'SEV1', alerts_firing: 3 });
    expect((await eventsOf(db, incident.id)).map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'alert.attached',
      'alert.attached',
    ]);

    const resolved = alertmanagerBody('{}:{alertname="DiskFull"}', [
      { instance: 'db-1', severity: 'critical', status: 'resolved' },
      { instance: 'db-2', status: 'resolved' },
      { instance: 'db-3', status: 'resolved' },
    ]);
    await Promise.all([sendAlertmanager(b.url, am.key, resolved), sendAlertmanager(a.url, am.key, resolved)]);
    await until(
      db,
      `SELECT * FROM incidents WHERE group_key = $1`,
      [groupKey],
      (r: any) => r.status === 'resolved',
      'resolution',
    );
    expect((await eventsOf(db, incident.id)).map((e) => e.type).slice(4)).toEqual([
      'alert.resolved',
      'alert.resolved',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(await count(db, `SELECT count(*) AS n FROM alerts WHERE group_key = $1`, [groupKey])).toBe(3);
  });
});
