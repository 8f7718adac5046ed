import { randomBytes } from 'node:crypto';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, testKafkaBrokers } from '../support/database';
import { TimelineFanout } from '../../src/timeline/timeline-fanout.consumer';
import { addNote, declareIncident, range, TimelineClient } from './timeline-support';

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('timeline across two instances sharing PostgreSQL and Kafka', () => {
  let databaseUrl: string;
  let a: TestApp;
  let b: TestApp;
  const clients: TimelineClient[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('timeline_two');
    const env = { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: `tl${randomBytes(4).toString('hex')}.` };
    a = await startApp(databaseUrl, env);
    b = await startApp(databaseUrl, env);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a?.close(), b?.close()]);
    await dropTestDatabase(databaseUrl);
  });

  it('delivers on instance B what is written on instance A, live and in order', async () => {
    const onB = await TimelineClient.connect(b.url);
    const everythingOnB = await TimelineClient.connect(b.url);
    clients.push(onB, everythingOnB);

    // B's own consumer group joins in the background (3–6 s against the mock cluster); `*` is
    // acknowledged once it has (timeline-fresh-instance.spec.ts covers subscribing before).
    await within(b.app.get(TimelineFanout).ready, 20_000, "B's timeline consumer to join its group");
    expect(await everythingOnB.subscribe('*')).toEqual({ ok: true });

    const incidentId = await declareIncident(a.url, 'Written on A');
    expect(await onB.subscribe(incidentId)).toEqual({ ok: true });
    await onB.waitFor(incidentId, 1);
    await addNote(a.url, incidentId, 'first live note');
    await onB.waitFor(incidentId, 2, 20_000);
    await everythingOnB.waitFor(incidentId, 2, 20_000);

    // From then on, an entry written on A reaches B's client within a second.
    for (const seq of range(3, 7)) {
      const started = Date.now();
      expect((await addNote(a.url, incidentId, `note ${seq}`)).seq).toBe(seq);
      await onB.waitFor(incidentId, seq, 1000);
      await everythingOnB.waitFor(incidentId, seq, 1000);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    const acknowledged = await call(a.url, 'POST', `/api/v1/incidents/${incidentId}/acknowledge`, { body: {} });
    expect(acknowledged.status).toBe(200);
    await onB.waitFor(incidentId, acknowledged.body.version, 1000);
    expect(onB.seqs(incidentId)).toEqual(range(1, acknowledged.body.version));
    await everythingOnB.waitFor(incidentId, acknowledged.body.version, 1000);
    expect(everythingOnB.seqs(incidentId)).toEqual(range(1, acknowledged.body.version));
    await everythingOnB.waitForSnapshot(incidentId, (s) => s.status === 'acknowledged', 2000);
  });
});
