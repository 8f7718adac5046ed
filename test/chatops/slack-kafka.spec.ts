import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually, testKafkaBrokers } from '../support/database';
import { ChatEventsConsumer } from '../../src/chatops';
import { encodeIncidentEvent } from '../../src/incidents';
import { SlackStub } from '../notifications/slack-stub';
import { ChatDb, declareRest, linkedChannel, putResponders, startChatApp, timeline } from './support';

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('incident channels over the Kafka transport (librdkafka mock broker)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let db: ChatDb;

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_kafka');
    instance = await startChatApp(databaseUrl, stub, { KAFKA_BROKERS: testKafkaBrokers(), KAFKA_TOPIC_PREFIX: `ch${randomBytes(4).toString('hex')}.` });
    db = await ChatDb.connect(databaseUrl);
    await putResponders(instance.url);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('makes one channel per incident declared before and after the group joins; a redelivered batch plans nothing', async () => {
    const consumer = instance.app.get(ChatEventsConsumer);
    const early = await declareRest(instance.url, { title: 'Before the join', severity: 'SEV1', commander: 'bob' });
    await within(consumer.ready, 30_000, 'the chatops consumer to join its group');
    const late = await declareRest(instance.url, { title: 'After the join', severity: 'SEV2' });
    for (const incident of [early, late]) await linkedChannel(instance.url, incident.id, 30_000);
    await eventually(async () => (await db.jobs(early.id)).every((j) => j.status === 'done') && (await db.jobs(early.id)).length === 3, {
      timeoutMs: 20_000,
      message: 'the channel and the invites (declarer, commander)',
    });

    // The same events again, as Kafka redelivers them after a rebalance.
    const entries = await timeline(instance.url, early.id);
    const replay = entries.map((e) => encodeIncidentEvent(e));
    const jobsBefore = await db.count('SELECT 1 FROM chat_jobs');
    await consumer.handleEvents(replay);
    expect(await db.count('SELECT 1 FROM chat_jobs')).toBe(jobsBefore);
    expect(stub.callsOf('conversations.create')).toHaveLength(2);
  });
});
