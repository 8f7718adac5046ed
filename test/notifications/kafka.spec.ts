import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually, testKafkaBrokers } from '../support/database';
import { decodeIncidentEvent } from '../../src/incidents';
import { NotificationEventsConsumer } from '../../src/notifications/notification-events.consumer';
import type { IncomingMessage } from '../../src/platform/messaging/message-transport';
import { MailSink } from './mail-sink';
import { SlackStub } from './slack-stub';
import { declare, NotifyDb, startNotifyingApp, timeline } from './support';

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('notifications over the Kafka transport (librdkafka mock broker)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let sink: MailSink;
  let db: NotifyDb;

  beforeAll(async () => {
    stub = await SlackStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('notify_kafka');
    instance = await startNotifyingApp(databaseUrl, {
      KAFKA_BROKERS: testKafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `nt${randomBytes(4).toString('hex')}.`,
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL: 'C0KAFKA01',
      SMTP_URL: sink.url,
      NOTIFY_EMAIL_TO: 'oncall@example.com',
    });
    db = await NotifyDb.connect(databaseUrl);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('notifies once per event, and a redelivered event creates no job', async () => {
    const consumer = instance.app.get(NotificationEventsConsumer);
    // Events written before the group joins are not lost: the group starts from the beginning.
    const early = await declare(instance.url, { title: 'Before the join', severity: 'SEV1' });
    await within(consumer.ready, 30_000, 'the notifications consumer to join its group');
    const late = await declare(instance.url, { title: 'After the join', severity: 'SEV2' });

    for (const incident of [early, late]) {
      await eventually(() => stub.ofIncident(incident.id).length === 1, { timeoutMs: 20_000, message: `the Slack root of #${incident.number}` });
      await eventually(() => sink.to('oncall@example.com').some((m) => m.subject.includes(`#${incident.number} `)), { timeoutMs: 20_000 });
    }
    const before = await db.settled(undefined, 4, 20_000);

    // The transport delivers at least once: the same event again changes nothing.
    const [declared] = await timeline(instance.url, late.id);
    const again: IncomingMessage = {
      topic: 'incident-events',
      partition: 0,
      offset: '0',
      key: late.id,
      value: Buffer.from(JSON.stringify({ incidentId: late.id, seq: declared.seq, type: declared.type, actor: declared.actor, occurredAt: declared.occurredAt, data: declared.data })),
      headers: {},
      timestamp: Date.now(),
    };
    const decoded = decodeIncidentEvent(again.value);
    if (!decoded.ok) throw new Error(`the redelivered event does not decode: ${decoded.reason}`);
    await consumer.handleEvents([decoded.message, decoded.message]);
    expect(await db.jobs()).toEqual(before);
    expect(stub.ofIncident(late.id)).toHaveLength(1);
    expect(sink.to('oncall@example.com').filter((m) => m.subject.includes(`#${late.number} `))).toHaveLength(1);
  });
});
