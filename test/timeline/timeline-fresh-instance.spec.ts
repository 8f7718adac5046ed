import { randomBytes } from 'node:crypto';
import { startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, testKafkaBrokers } from '../support/database';
import { TimelineFanout } from '../../src/timeline/timeline-fanout.consumer';
import { addNote, declareIncident, lastSeq, range, TimelineClient } from './timeline-support';

/**
 * Issue #16, gap 1: an instance serves HTTP before its fan-out tail is positioned (property 6),
 * and its consumer group starts at the topic's end. Whatever is published in between must
 * still reach the subscribers that instance already has.
 */
describe.each([
  ['Kafka', () => ({ KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: `tf${randomBytes(4).toString('hex')}.` })],
  ['the in-process transport', () => ({})],
])('a subscriber on a freshly started instance (%s)', (transport, transportEnv) => {
  let databaseUrl: string;
  let a: TestApp;
  let b: TestApp | undefined;
  let env: Record<string, string>;
  const clients: TimelineClient[] = [];

  beforeAll(async () => {
    env = transportEnv();
    databaseUrl = await createTestDatabase('timeline_fresh');
    a = await startApp(databaseUrl, env);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a?.close(), b?.close()]);
    await dropTestDatabase(databaseUrl);
  });

  it('gets a note written on another instance right after it started, once and in order', async () => {
    const incidentId = await declareIncident(a.url, 'Written on A while B starts');
    const known = await lastSeq(a.url, incidentId);

    b = await startApp(databaseUrl, env);
    let tailLive = false;
    void b.app
      .get(TimelineFanout)
      .ready.then(() => (tailLive = true))
      .catch(() => undefined);

    const onB = await TimelineClient.connect(b.url);
    const everythingOnB = await TimelineClient.connect(b.url);
    clients.push(onB, everythingOnB);
    expect(await onB.subscribe(incidentId, known)).toEqual({ ok: true });
    // The `*` acknowledgement is the promise "live from here"; it is not awaited yet. A tail
    // that takes longer than the server's bound to join is refused UNAVAILABLE: retry, as a client would.
    const everythingAck = (async () => {
      for (const deadline = Date.now() + 30_000; ;) {
        const ack = await everythingOnB.subscribe('*');
        if (ack.ok || ack.code !== 'UNAVAILABLE' || Date.now() > deadline) return ack;
      }
    })();

    const first = await addNote(a.url, incidentId, 'written while B was starting');
    if (transport === 'Kafka') {
      // The window this test is about: B's group had not joined when the note was published.
      expect(tailLive).toBe(false);
    }
    await onB.waitFor(incidentId, first.seq, 30_000);

    expect(await everythingAck).toEqual({ ok: true });
    const second = await addNote(a.url, incidentId, 'written once B acknowledged "*"');
    await onB.waitFor(incidentId, second.seq, 10_000);
    await everythingOnB.waitFor(incidentId, second.seq, 10_000);

    expect(onB.seqs(incidentId)).toEqual(range(known + 1, second.seq));
    expect(everythingOnB.seqs(incidentId).filter((seq) => seq >= second.seq)).toEqual([second.seq]);
    expect(new Set(everythingOnB.seqs(incidentId)).size).toBe(everythingOnB.seqs(incidentId).length);
  });
});
