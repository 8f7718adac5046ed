import {
  Admin,
  Consumer,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  LogEntry,
  Message,
  Partitioners,
  Producer,
  logLevel,
} from 'kafkajs';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, checkedSizes, splitBySize } from './message-limits';
import {
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageTransport,
  OutgoingMessage,
  TOPICS,
} from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { Signal, withTimeout } from './signal';
import { MessageTooLargeError, TransportUnavailableError } from './transport-errors';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (`sitrep.` → `sitrep.alerts`). */
  topicPrefix?: string;
  /** Logical topics created at start (failure tolerated). Default: every topic in TOPICS. */
  topics?: string[];
  /** How long the first publish of a batch waits for company. Default 1 ms. */
  lingerMs?: number;
  /** Bounds of one producer request. Defaults: 10 000 messages, 900 KB. */
  maxBatchMessages?: number;
  maxBatchBytes?: number;
  /** Largest single message accepted. Default 1 000 000 bytes (Kafka's limit is 1 MiB). */
  maxMessageBytes?: number;
  /** A publish not acknowledged by then rejects with TransportUnavailableError. Default 2000. */
  publishTimeoutMs?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** First pause before a failed batch is delivered again; doubles up to 5 s. Default 200. */
  retryDelayMs?: number;
  healthTimeoutMs?: number;
  healthCacheMs?: number;
}

type Settings = Required<Omit<KafkaTransportOptions, 'brokers' | 'clientId'>>;

const DEFAULTS: Settings = {
  topicPrefix: '',
  topics: Object.values(TOPICS),
  lingerMs: 1,
  maxBatchMessages: 10_000,
  maxBatchBytes: MAX_BATCH_BYTES,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  publishTimeoutMs: 2000,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 3000,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  rebalanceTimeoutMs: 6000,
  retryDelayMs: 200,
  healthTimeoutMs: 1500,
  healthCacheMs: 1000,
};

const MAX_RETRY_DELAY_MS = 5000;

/** kafkajs warnings that say nothing actionable; logged at debug. */
const QUIET_WARNINGS = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

/**
 * kafkajs namespaces whose errors are the noise of an unreachable broker (one line per retry);
 * their consequences are logged by this transport (failed publish, consumer crash), so they
 * are logged as warnings.
 */
const CONNECTION_NAMESPACES = ['Connection', 'ConnectionPool', 'BrokerPool', 'RequestQueue'];

/** Maps kafkajs's logger onto ours; kafkajs itself is set to warn so info/debug never arrive. */
function logCreator(logger: MessagingLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      const fields = { component: 'kafkajs', namespace, ...extra };
      if (level === logLevel.ERROR && !CONNECTION_NAMESPACES.includes(namespace)) logger.error(fields, message);
      else if (level <= logLevel.WARN && !QUIET_WARNINGS.includes(message)) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

/** One publish call's share of a producer request. */
interface Chunk {
  topic: string;
  messages: Message[];
  bytes: number;
  settled: boolean;
  settle(error?: Error): void;
}

type State = 'new' | 'connecting' | 'connected' | 'stopping' | 'stopped';

/**
 * The production transport. Publishes go through one idempotent producer (acks = all) that
 * gathers concurrent calls into one `sendBatch`, one request in flight at a time, so each key's
 * messages reach their partition in call order. A publish resolves when its batch is
 * acknowledged and rejects (TransportUnavailableError) when it fails or is not acknowledged
 * within publishTimeoutMs. Consumers join their groups in the background.
 */
export class KafkaTransport implements MessageTransport {
  readonly kind = 'kafka' as const;

  private readonly settings: Settings;
  private readonly brokers: string[];
  private readonly kafka: Kafka;
  private producer: Producer;
  private idempotent = true;
  private readonly admin: Admin;
  private state: State = 'new';
  private readonly connectSignal = new Signal();
  private connecting?: Promise<void>;

  private queue: Chunk[] = [];
  private lingerTimer?: NodeJS.Timeout;
  private sending = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { publishes: 0, messages: 0, sendBatches: 0 };

  private readonly consumers = new Set<KafkaConsumer>();
  private health?: { healthy: boolean; at: number };
  private healthCheck?: Promise<boolean>;
  private stopping?: Promise<void>;

  constructor(
    options: KafkaTransportOptions,
    private readonly logger: MessagingLogger = silentLogger,
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.settings = { ...DEFAULTS, ...defined } as Settings;
    this.brokers = options.brokers;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: this.settings.connectionTimeoutMs,
      requestTimeout: this.settings.requestTimeoutMs,
      // A dead broker must surface in about a second, not after kafkajs's default 5 retries.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.WARN,
      logCreator: logCreator(logger),
    });
    this.producer = this.createProducer(true);
    this.admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } });
  }

  private createProducer(idempotent: boolean): Producer {
    return this.kafka.producer({
      idempotent,
      // One request in flight per broker: with or without idempotence, a retried request
      // can never overtake the next one, so each key stays in order.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  /** Whether the producer is idempotent (false only after the fallback described in connectLoop). */
  get isIdempotent(): boolean {
    return this.idempotent;
  }

  /** Counters for tests and metrics: publish calls, messages, and producer requests made. */
  get stats(): Readonly<{ publishes: number; messages: number; sendBatches: number }> {
    return { ...this.counters };
  }

  /**
   * Connects the producer. If the brokers do not answer, logs and keeps trying in the
   * background (publish rejects with TransportUnavailableError meanwhile) rather than failing
   * start-up: the service stays up and reports itself unhealthy.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'connecting';
    this.connecting = this.connectLoop();
    await Promise.race([this.connecting, this.connectSignal.wait()]);
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; this.state === 'connecting'; attempt++) {
      try {
        await this.producer.connect();
        if (this.state !== 'connecting') return;
        // Before start() returns, so consumers started next find the topics where the cluster
        // does not create them on first use.
        await this.createTopics();
        if (this.state !== 'connecting') return;
        this.state = 'connected';
        this.logger.info({ brokers: this.describeBrokers(), idempotent: this.idempotent }, 'Kafka producer connected');
        this.connectSignal.notify();
        return;
      } catch (error) {
        if (this.idempotent && controllerMissing(error)) {
          // InitProducerId goes to the controller the cluster names in its metadata. Some
          // Kafka-protocol brokers (librdkafka's mock cluster, used by the tests) name one that
          // is not among their brokers, so an idempotent producer can never start there. Fall
          // back to acks=all with one request in flight: order holds, a retry may duplicate
          // (consumers dedupe anyway).
          this.logger.warn(
            { err: error, brokers: this.describeBrokers() },
            'Kafka cluster names no reachable controller; using a non-idempotent producer (acks=all, 1 in flight)',
          );
          this.idempotent = false;
          await this.producer.disconnect().catch(() => undefined);
          this.producer = this.createProducer(false);
          attempt = 0;
          continue;
        }
        if (attempt === 1) this.connectSignal.notify(); // let start() return
        const delay = Math.min(500 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        this.logger.warn(
          { err: error, brokers: this.describeBrokers(), attempt, retryInMs: delay },
          'Kafka producer cannot connect; retrying',
        );
        await this.connectSignal.wait(delay);
      }
    }
  }

  private async createTopics(): Promise<void> {
    const topics = this.settings.topics.map((t) => this.fullTopic(t));
    try {
      await this.admin.connect();
      await withTimeout(
        this.admin.createTopics({ topics: topics.map((topic) => ({ topic })), timeout: 3000 }),
        4000,
        () => new Error('createTopics timed out'),
      );
    } catch (error) {
      // Topics may exist already, or the cluster auto-creates them (as the test broker does).
      this.logger.debug(
        { err: error, topics },
        'Kafka createTopics failed; relying on existing or auto-created topics',
      );
    }
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.state !== 'connected') {
      return Promise.reject(
        new TransportUnavailableError(
          this.state === 'connecting' ? 'Kafka is not reachable yet' : `Kafka transport is ${this.state}`,
        ),
      );
    }
    let sizes: number[];
    try {
      sizes = checkedSizes(messages, this.settings.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.publishes++;
    this.counters.messages += messages.length;
    const fullTopic = this.fullTopic(topic);
    const runs = splitBySize(
      messages.map(toKafkaMessage),
      sizes,
      this.settings.maxBatchMessages,
      this.settings.maxBatchBytes,
    );

    return new Promise<void>((resolve, reject) => {
      let remaining = runs.length;
      let done = false;
      const chunks: Chunk[] = [];
      const finish = (error?: Error) => {
        if (done) return;
        if (error) {
          done = true;
          clearTimeout(timer);
          // Queued chunks of this call are skipped; the caller is told it failed.
          for (const chunk of chunks) chunk.settled = true;
          reject(error);
        } else if (--remaining === 0) {
          done = true;
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            new TransportUnavailableError(`Kafka did not acknowledge within ${this.settings.publishTimeoutMs} ms`),
          ),
        this.settings.publishTimeoutMs,
      );
      for (const run of runs) {
        const chunk: Chunk = {
          topic: fullTopic,
          messages: run.messages,
          bytes: run.bytes,
          settled: false,
          settle: (error) => {
            if (chunk.settled) return;
            chunk.settled = true;
            finish(error);
          },
        };
        chunks.push(chunk);
        this.queue.push(chunk);
      }
      this.scheduleSend();
    });
  }

  private scheduleSend(): void {
    if (this.sending || this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.sending = true;
      void this.sendLoop().finally(() => {
        this.sending = false;
        if (this.queue.length > 0) this.scheduleSend();
        else this.notifyIdle();
      });
    }, this.settings.lingerMs);
  }

  /** Sends what has gathered, one request at a time; what arrives meanwhile forms the next one. */
  private async sendLoop(): Promise<void> {
    for (;;) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      await this.send(batch);
    }
  }

  private takeBatch(): Chunk[] {
    const batch: Chunk[] = [];
    let count = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.settled) {
        this.queue.shift();
        continue;
      }
      const fits =
        count + next.messages.length <= this.settings.maxBatchMessages &&
        bytes + next.bytes <= this.settings.maxBatchBytes;
      // Stop at the first chunk that does not fit: skipping ahead would reorder keys.
      if (batch.length > 0 && !fits) break;
      this.queue.shift();
      batch.push(next);
      count += next.messages.length;
      bytes += next.bytes;
    }
    return batch;
  }

  private async send(batch: Chunk[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const chunk of batch) {
      const list = byTopic.get(chunk.topic);
      if (list) list.push(...chunk.messages);
      else byTopic.set(chunk.topic, [...chunk.messages]);
    }
    this.counters.sendBatches++;
    try {
      await this.producer.sendBatch({
        acks: -1,
        timeout: this.settings.requestTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const chunk of batch) chunk.settle();
    } catch (error) {
      const failure = publishError(error);
      this.logger.warn(
        { err: error, topics: [...byTopic.keys()], messages: batch.reduce((n, c) => n + c.messages.length, 0) },
        'Kafka rejected a producer batch',
      );
      for (const chunk of batch) chunk.settle(failure);
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when nothing is queued or in flight. */
  private flush(): Promise<void> {
    if (!this.sending && !this.lingerTimer && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async consume(options: ConsumerOptions): Promise<ConsumerHandle> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new TransportUnavailableError(`Kafka transport is ${this.state}`);
    }
    const consumer = new KafkaConsumer(
      this.kafka,
      options,
      this.fullTopic(options.topic),
      this.settings,
      this.logger,
      () => this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /** Producer connected and a metadata request answered within healthTimeoutMs; cached briefly. */
  isHealthy(): Promise<boolean> {
    if (this.state !== 'connected') return Promise.resolve(false);
    if (this.health && Date.now() - this.health.at < this.settings.healthCacheMs) {
      return Promise.resolve(this.health.healthy);
    }
    this.healthCheck ??= this.checkHealth().then((healthy) => {
      this.health = { healthy, at: Date.now() };
      this.healthCheck = undefined;
      return healthy;
    });
    return this.healthCheck;
  }

  private async checkHealth(): Promise<boolean> {
    try {
      await withTimeout(
        this.admin.connect().then(() => this.admin.describeCluster()),
        this.settings.healthTimeoutMs,
        () => new Error(`no metadata within ${this.settings.healthTimeoutMs} ms`),
      );
      return this.state === 'connected';
    } catch (error) {
      this.logger.debug({ err: error }, 'Kafka health check failed');
      return false;
    }
  }

  /** Stops consumers (in-flight batches finish), flushes queued publishes, disconnects. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const wasConnected = this.state === 'connected';
    this.state = 'stopping';
    this.connectSignal.notify();
    await Promise.all([...this.consumers].map((c) => c.stop()));
    // Every queued publish settles within publishTimeoutMs (acknowledged or rejected); a
    // request kafkajs is still retrying past that is cut short by the disconnect.
    if (wasConnected)
      await withTimeout(this.flush(), this.settings.publishTimeoutMs, () => new Error('flush')).catch(() => undefined);
    await this.connecting?.catch(() => undefined);
    await this.producer.disconnect().catch((err) => this.logger.warn({ err }, 'Kafka producer disconnect failed'));
    await this.admin.disconnect().catch(() => undefined);
    this.state = 'stopped';
    this.logger.info({}, 'Kafka transport stopped');
  }

  private fullTopic(topic: string): string {
    return `${this.settings.topicPrefix}${topic}`;
  }

  private describeBrokers(): string {
    return this.brokers.join(',');
  }
}

/** kafkajs's error when the controller named in the metadata is not among the brokers. */
function controllerMissing(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'KafkaJSBrokerNotFound' || /not found in the cached metadata/.test(error.message))
  );
}

function toKafkaMessage(message: OutgoingMessage): Message {
  return { key: message.key, value: message.value, headers: message.headers };
}

function publishError(error: unknown): Error {
  const cause = (error as { cause?: { type?: string } }).cause;
  const type = (error as { type?: string }).type ?? cause?.type;
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    return new MessageTooLargeError(undefined, MAX_MESSAGE_BYTES, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransportUnavailableError(`Kafka did not accept the messages: ${message}`, { cause: error });
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    result[name] = first === undefined ? '' : first.toString();
  }
  return result;
}

/**
 * One consumer group member. It connects, joins and fetches in the background, and is
 * recreated (after a pause) when it cannot connect or crashes in a way kafkajs gives up on.
 */
class KafkaConsumer implements ConsumerHandle {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private stopped = false;
  private joined = false;
  private consumer?: Consumer;
  private readonly signal = new Signal();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly failures = new Map<number, number>();
  private readonly loop: Promise<void>;
  private stopping?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly topic: string,
    private readonly settings: Settings,
    private readonly logger: MessagingLogger,
    private readonly onStopped: () => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.loop = this.supervise();
  }

  private get context() {
    return { groupId: this.options.groupId, topic: this.topic };
  }

  private async supervise(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const consumer = this.kafka.consumer({
        groupId: this.options.groupId,
        sessionTimeout: this.settings.sessionTimeoutMs,
        heartbeatInterval: this.settings.heartbeatIntervalMs,
        rebalanceTimeout: this.settings.rebalanceTimeoutMs,
        maxWaitTimeInMs: this.options.maxWaitMs ?? 100,
        allowAutoTopicCreation: true,
        retry: {
          retries: 5,
          initialRetryTime: 300,
          maxRetryTime: MAX_RETRY_DELAY_MS,
          // kafkajs restarts a crashed consumer itself, unless we are stopping.
          restartOnFailure: async () => !this.stopped,
        },
      });
      this.consumer = consumer;
      let crashed = false;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (this.stopped) return;
        const fields = { ...this.context, err: payload.error, restart: payload.restart };
        if (payload.restart) this.logger.warn(fields, 'Kafka consumer crashed; kafkajs restarts it');
        else this.logger.error(fields, 'Kafka consumer crashed; recreating it');
        if (!payload.restart) {
          crashed = true;
          this.signal.notify();
        }
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        this.joined = true;
        this.logger.info(
          { ...this.context, memberId: payload.memberId, assignment: payload.memberAssignment },
          'Kafka consumer joined its group',
        );
      });
      consumer.on(consumer.events.FETCH, () => {
        if (this.joined) this.resolveReady();
      });
      try {
        await consumer.connect();
        if (!this.stopped) {
          await consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning });
          await consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: (payload) => this.eachBatch(payload),
          });
          attempt = 0;
          // Runs until stop() or a crash kafkajs does not recover from.
          while (!this.stopped && !crashed) await this.signal.wait();
        }
      } catch (error) {
        if (!this.stopped) {
          this.logger.warn({ ...this.context, err: error, attempt }, 'Kafka consumer cannot start; retrying');
        }
      }
      await consumer
        .disconnect()
        .catch((err) => this.logger.debug({ ...this.context, err }, 'Kafka consumer disconnect failed'));
      this.joined = false;
      if (!this.stopped) await this.signal.wait(Math.min(1000 * 2 ** Math.max(attempt - 1, 0), 10_000));
    }
  }

  private async eachBatch({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    uncommittedOffsets,
    heartbeat,
    pause,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const messages = batch.messages.map((m) => this.toIncoming(batch.partition, m));
    // Keep the membership alive through a slow handler.
    const beat = setInterval(() => heartbeat().catch(() => undefined), this.settings.heartbeatIntervalMs);
    try {
      await this.options.handleBatch(messages);
    } catch (error) {
      const failures = (this.failures.get(batch.partition) ?? 0) + 1;
      this.failures.set(batch.partition, failures);
      const delay = Math.min(this.settings.retryDelayMs * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
      this.logger.error(
        {
          ...this.context,
          err: error,
          partition: batch.partition,
          firstOffset: batch.firstOffset(),
          lastOffset: batch.lastOffset(),
          failures,
          retryInMs: delay,
        },
        'Consumer handler failed; the batch will be delivered again',
      );
      // Offsets stay unresolved, so the next fetch after resume starts at this batch again.
      if (!this.stopped) {
        const resume = pause();
        const timer = setTimeout(() => {
          this.resumeTimers.delete(timer);
          resume();
        }, delay);
        this.resumeTimers.add(timer);
      }
      return;
    } finally {
      clearInterval(beat);
    }
    this.failures.delete(batch.partition);
    resolveOffset(batch.messages[batch.messages.length - 1].offset);
    await commitOffsetsIfNecessary(uncommittedOffsets());
  }

  private toIncoming(partition: number, message: KafkaMessage): IncomingMessage {
    return {
      topic: this.options.topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      value: message.value ?? Buffer.alloc(0),
      headers: headersOf(message.headers),
      timestamp: Number(message.timestamp),
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.rejectReady(new Error('consumer stopped'));
      for (const timer of this.resumeTimers) clearTimeout(timer);
      this.resumeTimers.clear();
      this.signal.notify();
      await this.consumer?.disconnect().catch(() => undefined);
      await this.loop;
      this.onStopped();
    })();
    return this.stopping;
  }
}
