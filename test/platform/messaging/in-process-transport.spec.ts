import { migrations } from '../../../src/migrations';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, migrateUnderLock } from '../../../src/platform/database/data-source';
import { InProcessTransport } from '../../../src/platform/messaging/in-process-transport';
import { ConsumerHandle, IncomingMessage } from '../../../src/platform/messaging/message-transport';
import { MessageTooLargeError, TransportUnavailableError } from '../../../src/platform/messaging/transport-errors';
import { createTestDatabase, dropTestDatabase, eventually } from '../../support/database';
import { recordingLogger } from './messaging-test-support';

const text = (m: IncomingMessage) => m.value.toString();

describe('InProcessTransport', () => {
  let url: string;
  let dataSource: DataSource;
  let transport: InProcessTransport;
  const logger = recordingLogger();
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    url = await createTestDatabase('in_process_transport');
    dataSource = createDataSource(url, migrations, 10);
    await dataSource.initialize();
    await migrateUnderLock(dataSource);
    // A long fallback poll: every delivery below must come from the in-memory wake-up.
    transport = new InProcessTransport(dataSource, logger, { pollIntervalMs: 60_000, topicPrefix: 'test.' });
    await transport.start();
  });

  afterAll(async () => {
    await transport?.stop();
    await dataSource?.destroy();
    if (url) await dropTestDatabase(url);
  });

  async function consume(
    groupId: string,
    topic: string,
    fromBeginning: boolean,
    handleBatch: (messages: IncomingMessage[]) => Promise<void>,
    on: InProcessTransport = transport,
  ): Promise<ConsumerHandle> {
    const handle = await on.consume({ groupId, topic, fromBeginning, handleBatch });
    handles.push(handle);
    return handle;
  }

  it('resolves publish once the messages are committed, and delivers them in order', async () => {
    const seen: IncomingMessage[] = [];
    await consume('order', 'order', true, async (batch) => void seen.push(...batch));

    const keys = ['alpha', 'bravo', 'charlie'];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      for (const key of keys)
        sends.push(transport.publish('order', [{ key, value: `${key}-${i}`, headers: { n: String(i) } }]));
    }
    await Promise.all(sends);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM transport_messages WHERE topic = 'test.order'`,
    );
    expect(count).toBe(150);

    await eventually(() => seen.length >= 150, { timeoutMs: 5000, message: 'all messages' });
    expect(seen).toHaveLength(150);
    for (const key of keys) {
      expect(seen.filter((m) => m.key === key).map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `${key}-${i}`));
    }
    const offsets = seen.map((m) => BigInt(m.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    expect(seen[0]).toMatchObject({ topic: 'order', partition: 0, headers: { n: '0' } });
    expect(seen[0].value).toBeInstanceOf(Buffer);
  });

  it('gathers concurrent publishes into few inserts', async () => {
    const before = transport.stats.inserts;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => transport.publish('batching', [{ key: `k${i % 5}`, value: `v${i}` }])),
    );
    const inserts = transport.stats.inserts - before;
    expect(inserts).toBeGreaterThanOrEqual(1);
    expect(inserts).toBeLessThan(10);
  });

  it('with a batch window, hands what arrives during the window after a batch to the next call together', async () => {
    const calls: string[][] = [];
    const handle = await transport.consume({
      groupId: 'window',
      topic: 'window',
      fromBeginning: true,
      batchWindowMs: 2000,
      handleBatch: async (batch) => void calls.push(batch.map(text)),
    });
    handles.push(handle);
    await transport.publish('window', [{ key: 'k', value: 'first' }]);
    await eventually(() => calls.length === 1, { timeoutMs: 5000, message: 'first message handled' });
    // Each its own commit, as separate commands would be: without the window, several calls.
    for (const value of ['a', 'b', 'c']) await transport.publish('window', [{ key: 'k', value }]);
    await eventually(() => calls.flat().length === 4, { timeoutMs: 10000, message: 'the rest handled' });
    expect(calls).toEqual([['first'], ['a', 'b', 'c']]);
    await handle.stop(); // cuts the window short
  });

  it('delivers a batch again when its handler throws, skipping nothing', async () => {
    let failures = 0;
    const handled: IncomingMessage[] = [];
    await consume('retry', 'retry', true, async (batch) => {
      if (failures === 0) {
        failures++;
        throw new Error('handler fails once');
      }
      handled.push(...batch);
    });
    await transport.publish(
      'retry',
      Array.from({ length: 10 }, (_, i) => ({ key: 'incident-1', value: `m${i}` })),
    );
    await eventually(() => handled.length >= 10, { timeoutMs: 5000, message: 'redelivery' });
    expect(failures).toBe(1);
    expect(handled.map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(logger.entries.some((e) => e.level === 'error' && /handler failed/.test(e.msg ?? ''))).toBe(true);
  });

  it('starts a new group with fromBeginning:false at the end of the topic, and resumes a known group', async () => {
    await transport.publish('fresh', [
      { key: 'k', value: 'old-1' },
      { key: 'k', value: 'old-2' },
    ]);
    const latest: IncomingMessage[] = [];
    const earliest: IncomingMessage[] = [];
    const latestHandle = await consume('fresh-latest', 'fresh', false, async (b) => void latest.push(...b));
    await consume('fresh-earliest', 'fresh', true, async (b) => void earliest.push(...b));
    await transport.publish('fresh', [{ key: 'k', value: 'new-1' }]);

    await eventually(() => latest.length >= 1 && earliest.length >= 3, { message: 'fresh messages' });
    expect(latest.map(text)).toEqual(['new-1']);
    expect(earliest.map(text)).toEqual(['old-1', 'old-2', 'new-1']);

    // A stopped member of a group resumes after its committed offset, whatever fromBeginning says.
    await latestHandle.stop();
    await transport.publish('fresh', [{ key: 'k', value: 'new-2' }]);
    const resumed: IncomingMessage[] = [];
    await consume('fresh-latest', 'fresh', true, async (b) => void resumed.push(...b));
    await eventually(() => resumed.length >= 1, { message: 'resumed group' });
    expect(resumed.map(text)).toEqual(['new-2']);
  });

  it('gives one group’s messages to one member only, across transports on one database', async () => {
    const other = new InProcessTransport(dataSource, logger, { pollIntervalMs: 50, topicPrefix: 'test.' });
    await other.start();
    try {
      const byMember: IncomingMessage[][] = [[], []];
      await consume('shared', 'shared', true, async (b) => void byMember[0].push(...b));
      await consume('shared', 'shared', true, async (b) => void byMember[1].push(...b), other);
      for (let i = 0; i < 20; i++) {
        await Promise.all([
          transport.publish('shared', [{ key: 'k', value: `a${i}` }]),
          other.publish('shared', [{ key: 'k', value: `b${i}` }]),
        ]);
      }
      await eventually(() => byMember[0].length + byMember[1].length >= 40, { message: 'shared messages' });
      const all = [...byMember[0], ...byMember[1]].map((m) => m.offset);
      expect(new Set(all).size).toBe(40);
    } finally {
      await other.stop();
    }
  });

  it('notifies the topics it writes to, and wakes its consumers when another process inserts', async () => {
    const seen: IncomingMessage[] = [];
    await consume('elsewhere', 'elsewhere', true, async (b) => void seen.push(...b));
    // Another process: a connection of its own, listening and inserting as its transport would.
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      const heard: string[] = [];
      other.on('notification', (n) => heard.push(n.payload ?? ''));
      await other.query('LISTEN sitrep_transport');
      await transport.publish('elsewhere', [{ key: 'k', value: 'here' }]);
      await eventually(() => heard.includes('test.elsewhere'), { message: 'the insert notified its topic' });

      await other.query(`INSERT INTO transport_messages (topic, key, value) VALUES ('test.elsewhere', 'k', 'there')`);
      // The consumer's fallback poll is a minute away: only the notification can wake it.
      await eventually(
        async () => {
          await other.query(`SELECT pg_notify('sitrep_transport', 'test.elsewhere')`);
          return seen.length >= 2;
        },
        { timeoutMs: 5000, message: 'woken by another process' },
      );
      expect(seen.map(text)).toEqual(['here', 'there']);
    } finally {
      await other.end();
    }
  });

  it('lets the in-flight batch finish and commit when a consumer stops', async () => {
    const slow = { started: false, finished: false };
    const handle = await consume('slow', 'slow', true, async () => {
      slow.started = true;
      await new Promise((resolve) => setTimeout(resolve, 300));
      slow.finished = true;
    });
    await transport.publish('slow', [{ key: 'k', value: 'slow' }]);
    await eventually(() => slow.started, { message: 'slow handler started' });
    await handle.stop();
    expect(slow.finished).toBe(true);

    const again: IncomingMessage[] = [];
    await consume('slow', 'slow', true, async (b) => void again.push(...b));
    await transport.publish('slow', [{ key: 'k', value: 'next' }]);
    await eventually(() => again.length >= 1, { message: 'next message' });
    expect(again.map(text)).toEqual(['next']);
  });

  it('rejects an oversized message and refuses work once stopped', async () => {
    await expect(transport.publish('large', [{ key: 'k', value: Buffer.alloc(1_100_000) }])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
    expect(await transport.isHealthy()).toBe(true);

    const spare = new InProcessTransport(dataSource, logger);
    await spare.start();
    await spare.consume({ groupId: 'spare', topic: 'spare', fromBeginning: true, handleBatch: async () => undefined });
    const pending = spare.publish('spare', [{ key: 'k', value: 'last' }]);
    await spare.stop();
    await pending; // queued publishes are flushed by stop()
    await expect(spare.publish('spare', [{ key: 'k', value: 'late' }])).rejects.toBeInstanceOf(
      TransportUnavailableError,
    );
    expect(await spare.isHealthy()).toBe(false);
  });
});
