import pino from 'pino';
import { KafkaTransport } from '../../../src/platform/messaging/kafka-transport';
import { ConsumerHandle, IncomingMessage } from '../../../src/platform/messaging/message-transport';
import { MessagingLogger } from '../../../src/platform/messaging/messaging-logger';
import { MessageTooLargeError, TransportUnavailableError } from '../../../src/platform/messaging/transport-errors';
import { eventually, testKafkaBrokers } from '../../support/database';
import { startKafkaMockBroker } from '../../support/kafka-broker';
import { recordingLogger, uniquePrefix } from './messaging-test-support';

// A pino logger is a MessagingLogger as it is.
const _pinoFits: MessagingLogger = pino({ enabled: false });

const text = (m: IncomingMessage) => m.value.toString();

/**
 * Against the shared kcat mock cluster. Group joins take about a session timeout there, so
 * every consumer of this file is started at once in beforeAll and each test awaits its own.
 */
describe('KafkaTransport', () => {
  const logger = recordingLogger();
  let transport: KafkaTransport;

  const ordered: IncomingMessage[] = [];
  /** Per handler call of the 'order' group: how many partitions it held, and the most calls in flight at once. */
  const orderCalls: number[] = [];
  const orderInFlight = { now: 0, most: 0 };
  /** 'poison' group: messages handled (never the poison one), and how often the poison was seen. */
  const unpoisoned: IncomingMessage[] = [];
  const poisonSeen = { times: 0, partition: -1 };
  const retried: IncomingMessage[][] = [];
  let retryFailures = 0;
  const fresh: IncomingMessage[] = [];
  const slow = { started: false, finished: false };
  /** 'window' group (batchWindowMs): the messages of each handler call. */
  const windowCalls: string[][] = [];
  const handles: Record<string, ConsumerHandle> = {};

  beforeAll(async () => {
    transport = new KafkaTransport(
      { brokers: testKafkaBrokers().split(','), clientId: 'sitrep-test', topicPrefix: uniquePrefix() },
      logger,
    );
    await transport.start();
    // Published before any consumer exists: a new group with fromBeginning:false never sees these.
    await transport.publish('fresh', [
      { key: 'k', value: 'old-1' },
      { key: 'k', value: 'old-2' },
    ]);

    const [order, retry, latest, slowHandle, poison, windowed] = await Promise.all([
      transport.consume({
        groupId: 'order',
        topic: 'order',
        fromBeginning: true,
        handleBatch: async (messages) => {
          orderInFlight.most = Math.max(orderInFlight.most, ++orderInFlight.now);
          orderCalls.push(new Set(messages.map((m) => m.partition)).size);
          await new Promise((resolve) => setImmediate(resolve));
          ordered.push(...messages);
          orderInFlight.now--;
        },
      }),
      transport.consume({
        groupId: 'retry',
        topic: 'retry',
        fromBeginning: true,
        handleBatch: async (messages) => {
          if (retryFailures === 0) {
            retryFailures++;
            throw new Error('handler fails once');
          }
          retried.push(messages);
        },
      }),
      transport.consume({
        groupId: 'fresh',
        topic: 'fresh',
        fromBeginning: false,
        handleBatch: async (messages) => void fresh.push(...messages),
      }),
      transport.consume({
        groupId: 'slow',
        topic: 'slow',
        fromBeginning: true,
        handleBatch: async () => {
          slow.started = true;
          await new Promise((resolve) => setTimeout(resolve, 500));
          slow.finished = true;
        },
      }),
      transport.consume({
        groupId: 'poison',
        topic: 'poison',
        fromBeginning: true,
        handleBatch: async (messages) => {
          const bad = messages.find((m) => text(m) === 'poison');
          if (bad) {
            poisonSeen.times++;
            poisonSeen.partition = bad.partition;
            throw new Error('this message always fails');
          }
          unpoisoned.push(...messages);
        },
      }),
      transport.consume({
        groupId: 'window',
        topic: 'window',
        fromBeginning: true,
        maxWaitMs: 10,
        batchWindowMs: 2000,
        handleBatch: async (messages) => void windowCalls.push(messages.map(text)),
      }),
    ]);
    Object.assign(handles, { order, retry, latest, slow: slowHandle, poison, window: windowed });
  });

  afterAll(async () => {
    await transport?.stop();
  });

  it('returns from consume() without waiting for the group to join', async () => {
    const started = Date.now();
    const handle = await transport.consume({
      groupId: 'quick',
      topic: 'quick',
      fromBeginning: true,
      handleBatch: async () => undefined,
    });
    expect(Date.now() - started).toBeLessThan(200);
    await handle.stop();
  });

  it('delivers every message, in order per key, the partitions of a fetch in one handler call', async () => {
    const keys = ['alpha', 'bravo', 'charlie', 'delta'];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      for (const key of keys)
        sends.push(transport.publish('order', [{ key, value: `${key}-${i}`, headers: { n: String(i) } }]));
    }
    await Promise.all(sends);

    await eventually(() => ordered.length >= keys.length * 40, { timeoutMs: 20000, message: 'all ordered messages' });
    expect(ordered).toHaveLength(keys.length * 40);
    for (const key of keys) {
      const seen = ordered.filter((m) => m.key === key);
      expect(seen.map(text)).toEqual(Array.from({ length: 40 }, (_, i) => `${key}-${i}`));
      expect(new Set(seen.map((m) => m.partition)).size).toBe(1);
      expect(seen.map((m) => m.headers.n)).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    }
    expect(new Set(ordered.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(ordered[0].topic).toBe('order');
    // The partitions of one fetch reach the handler as one call, and calls never overlap.
    expect(Math.max(...orderCalls)).toBeGreaterThan(1);
    expect(orderInFlight.most).toBe(1);
  });

  it('lets a message that always fails stop its own partition only, not the others gathered with it', async () => {
    await handles.poison.ready;
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    // One request: every partition's records come in one fetch, so they are gathered together.
    await transport.publish('poison', [{ key: 'bad', value: 'poison' }, ...keys.map((key) => ({ key, value: key }))]);
    await eventually(() => poisonSeen.times >= 2 && new Set(unpoisoned.map((m) => m.partition)).size >= 2, {
      timeoutMs: 20000,
      message: 'other partitions delivered while the poison keeps failing',
    });
    expect(unpoisoned.every((m) => m.partition !== poisonSeen.partition)).toBe(true);
    expect(new Set(unpoisoned.map(text)).size).toBe(unpoisoned.length);
  });

  it('with a batch window, fetches what arrived during the window after a batch in one go', async () => {
    await handles.window.ready;
    await transport.publish('window', [{ key: 'w3', value: 'first' }]);
    await eventually(() => windowCalls.length === 1, { timeoutMs: 20000, message: 'first message handled' });
    // Three requests, 50 ms apart, to partitions 0, 1 and 2 (of 16, or of the mock broker's 4).
    // The member's empty fetch waits 10 ms, so without the window each is a handler call of its own.
    for (const key of ['w3', 'w30', 'w2']) {
      await transport.publish('window', [{ key, value: key }]);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the pace of the input, not a wait for a result
    }
    await eventually(() => windowCalls.flat().length === 4, { timeoutMs: 20000, message: 'the rest handled' });
    expect(windowCalls[0]).toEqual(['first']);
    expect(windowCalls.slice(1).map((call) => [...call].sort())).toEqual([['w2', 'w3', 'w30']]);
  });

  it('with a batch window, a group catching up on a backlog reads on without pausing', async () => {
    // Separate publishes to one key: separate record batches, each its own fetch on the mock broker.
    for (let i = 1; i <= 4; i++) await transport.publish('catchup', [{ key: 'c', value: `c${i}` }]);
    const seen: string[] = [];
    const handle = await transport.consume({
      groupId: 'catchup',
      topic: 'catchup',
      fromBeginning: true,
      maxWaitMs: 10,
      batchWindowMs: 60_000, // a pause after each of them would take minutes
      handleBatch: async (messages) => void seen.push(...messages.map(text)),
    });
    try {
      await eventually(() => seen.length === 4, { timeoutMs: 30_000, message: 'the backlog read through' });
      expect(seen).toEqual(['c1', 'c2', 'c3', 'c4']);
    } finally {
      await handle.stop();
    }
  });

  it('with a batch window, one partition caught up does not hold back another one catching up', async () => {
    // 'w3' and 'w30' land on different partitions (see above): one fetch brings 'w3''s only
    // record batch (nothing more waiting there) together with the first of 'w30''s four.
    await transport.publish('catchup-two', [{ key: 'w3', value: 'alone' }]);
    for (let i = 1; i <= 4; i++) await transport.publish('catchup-two', [{ key: 'w30', value: `b${i}` }]);
    const seen: string[] = [];
    const handle = await transport.consume({
      groupId: 'catchup-two',
      topic: 'catchup-two',
      fromBeginning: true,
      maxWaitMs: 10,
      batchWindowMs: 60_000,
      handleBatch: async (messages) => void seen.push(...messages.map(text)),
    });
    try {
      await eventually(() => seen.length === 5, { timeoutMs: 30_000, message: 'both partitions read through' });
      expect(seen.filter((v) => v !== 'alone')).toEqual(['b1', 'b2', 'b3', 'b4']);
    } finally {
      await handle.stop();
    }
  });

  it('gathers concurrent publishes into few producer requests', async () => {
    const before = transport.stats.sendBatches;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => transport.publish('batching', [{ key: `k${i % 7}`, value: `v${i}` }])),
    );
    const requests = transport.stats.sendBatches - before;
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(requests).toBeLessThan(10);
  });

  it('splits a large publish into requests under the size bound, and rejects an oversized message', async () => {
    const before = transport.stats.sendBatches;
    const value = Buffer.alloc(300_000, 1);
    await transport.publish(
      'large',
      [1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value })),
    );
    expect(transport.stats.sendBatches - before).toBeGreaterThanOrEqual(3);

    await expect(transport.publish('large', [{ key: 'k', value: Buffer.alloc(1_100_000) }])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
  });

  it('delivers a batch again when its handler throws, skipping nothing', async () => {
    await transport.publish(
      'retry',
      Array.from({ length: 10 }, (_, i) => ({ key: 'incident-1', value: `m${i}` })),
    );
    await eventually(() => retried.flat().length >= 10, { timeoutMs: 20000, message: 'redelivered batch' });
    expect(retryFailures).toBe(1);
    expect(retried.flat().map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(logger.entries.some((e) => e.level === 'error' && /handler failed/.test(e.msg ?? ''))).toBe(true);
  });

  it('starts a new group with fromBeginning:false at the end of the topic', async () => {
    await handles.latest.ready;
    await transport.publish('fresh', [{ key: 'k', value: 'new-1' }]);
    await transport.publish('fresh', [{ key: 'k', value: 'new-2' }]);
    await eventually(() => fresh.length >= 2, { timeoutMs: 20000, message: 'new messages' });
    expect(fresh.map(text)).toEqual(['new-1', 'new-2']);
  });

  it('lets the in-flight batch finish when a consumer stops', async () => {
    await transport.publish('slow', [{ key: 'k', value: 'slow' }]);
    await eventually(() => slow.started, { timeoutMs: 20000, message: 'slow handler started' });
    await handles.slow.stop();
    expect(slow.finished).toBe(true);
  });

  it('commits handled offsets in the background, and all of them before a stopping member leaves', async () => {
    const first: IncomingMessage[] = [];
    const handle = await transport.consume({
      groupId: 'resume',
      topic: 'resume',
      fromBeginning: true,
      handleBatch: async (messages) => void first.push(...messages),
    });
    await handle.ready;
    for (let i = 0; i < 5; i++) await transport.publish('resume', [{ key: 'k', value: `before-${i}` }]);
    await eventually(() => first.length >= 5, { timeoutMs: 20000, message: 'first member handled all' });
    await handle.stop();

    await transport.publish('resume', [{ key: 'k', value: 'after' }]);
    const second: IncomingMessage[] = [];
    const next = await transport.consume({
      groupId: 'resume',
      topic: 'resume',
      fromBeginning: true,
      handleBatch: async (messages) => void second.push(...messages),
    });
    try {
      await eventually(() => second.length >= 1, { timeoutMs: 20000, message: 'next member resumes' });
      expect(second.map(text)).toEqual(['after']);
    } finally {
      await next.stop();
    }
  });

  it('starts without a reachable broker, refusing publishes until it connects', async () => {
    const nowhere = new KafkaTransport({ brokers: ['127.0.0.1:1'], clientId: 'sitrep-test-nowhere' });
    const started = Date.now();
    await nowhere.start();
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(nowhere.publish('alerts', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(
      TransportUnavailableError,
    );
    expect(await nowhere.isHealthy()).toBe(false);
    const handle = await nowhere.consume({
      groupId: 'g',
      topic: 'alerts',
      fromBeginning: true,
      handleBatch: async () => undefined,
    });
    await nowhere.stop();
    await expect(handle.ready).rejects.toThrow('consumer stopped');
  });

  it('is unhealthy and fails publishes fast once its broker is gone', async () => {
    const broker = await startKafkaMockBroker();
    const own = new KafkaTransport({
      brokers: [broker.brokers],
      clientId: 'sitrep-test-kill',
      topicPrefix: uniquePrefix(),
    });
    try {
      await own.start();
      expect(await own.isHealthy()).toBe(true);
      await own.publish('alerts', [{ key: 'k', value: 'before' }]);

      await broker.stop();
      const started = Date.now();
      const error = await own.publish('alerts', [{ key: 'k', value: 'after' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
      await eventually(async () => (await own.isHealthy()) === false, { timeoutMs: 4000, message: 'unhealthy' });
    } finally {
      const stopping = Date.now();
      await own.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
      await broker.stop();
    }
    await expect(own.publish('alerts', [{ key: 'k', value: 'x' }])).rejects.toBeInstanceOf(TransportUnavailableError);
    expect(await own.isHealthy()).toBe(false);
  });
});
