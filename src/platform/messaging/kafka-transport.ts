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
import { BackgroundCommits } from './background-commits';
import { MAX_RETRY_DELAY_MS, backoff } from './backoff';
import { CachedHealth } from './cached-health';
import { GroupMember, GroupMembers, MemberSetup } from './group-member';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from './message-limits';
import {
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageTransport,
  OutgoingMessage,
  TOPICS,
} from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { PublishBatcher, PublishChunk } from './publish-batcher';
import { withDefaults } from './settings';
import { Signal, withTimeout } from './signal';

/** Longest a stopping consumer waits for its last offset commit. */
const COMMIT_SETTLE_MS = 5_000;
/** Partitions of one fetch handed to a handler as one batch, unless a consumer says otherwise. */
const PARTITIONS_PER_BATCH = 16;
import { MessageTooLargeError, TransportUnavailableError } from './transport-errors';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (`sitrep.` → `sitrep.alerts`). */
  topicPrefix?: string;
  /** Logical topics created at start (failure tolerated). Default: every topic in TOPICS. */
  topics?: string[];
  /**
   * Partitions of a topic created at start (default 16; an existing topic keeps its own).
   * They bound how many instances share a group's work and how many records one fetch can
   * bring, since a batch gathers the partitions of a fetch.
   */
  partitions?: number;
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
  /**
   * Least time between two offset commits of a member (default 100): a busy group commits a
   * few times a second, not once per batch; a crash or rebalance redelivers at most that much.
   */
  commitSpacingMs?: number;
  healthTimeoutMs?: number;
  healthCacheMs?: number;
}

type Settings = Required<Omit<KafkaTransportOptions, 'brokers' | 'clientId'>>;

const DEFAULTS: Settings = {
  topicPrefix: '',
  topics: Object.values(TOPICS),
  partitions: 16,
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
  commitSpacingMs: 100,
  healthTimeoutMs: 1500,
  healthCacheMs: 1000,
};

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

  private readonly batcher: PublishBatcher<Message>;
  private readonly health: CachedHealth;
  private readonly consumers: GroupMembers<KafkaConsumer>;
  private stopping?: Promise<void>;

  constructor(
    options: KafkaTransportOptions,
    private readonly logger: MessagingLogger = silentLogger,
  ) {
    this.settings = withDefaults(DEFAULTS, options);
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
    this.batcher = new PublishBatcher({
      bounds: {
        maxMessages: this.settings.maxBatchMessages,
        maxBytes: this.settings.maxBatchBytes,
        maxMessageBytes: this.settings.maxMessageBytes,
      },
      lingerMs: this.settings.lingerMs,
      convert: toKafkaMessage,
      write: (chunks) => this.send(chunks),
      timeoutMs: this.settings.publishTimeoutMs,
      timeoutError: () =>
        new TransportUnavailableError(`Kafka did not acknowledge within ${this.settings.publishTimeoutMs} ms`),
    });
    this.consumers = new GroupMembers(logger, this.settings.retryDelayMs);
    this.health = new CachedHealth(
      () => this.admin.connect().then(() => this.admin.describeCluster()),
      this.settings,
      (error) => this.logger.debug({ err: error }, 'Kafka health check failed'),
    );
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
    const { publishes, messages, requests } = this.batcher.stats;
    return { publishes, messages, sendBatches: requests };
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
        const delay = backoff(500, attempt);
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
        this.admin.createTopics({
          topics: topics.map((topic) => ({ topic, numPartitions: this.settings.partitions })),
          timeout: 3000,
        }),
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
    if (messages.length > 0 && this.state !== 'connected') {
      return Promise.reject(
        new TransportUnavailableError(
          this.state === 'connecting' ? 'Kafka is not reachable yet' : `Kafka transport is ${this.state}`,
        ),
      );
    }
    return this.batcher.publish(this.fullTopic(topic), messages);
  }

  /** One producer request; each topic's messages in the order they were queued. */
  private async send(chunks: PublishChunk<Message>[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const chunk of chunks) {
      const list = byTopic.get(chunk.topic);
      if (list) list.push(...chunk.messages);
      else byTopic.set(chunk.topic, [...chunk.messages]);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        timeout: this.settings.requestTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      this.logger.warn(
        { err: error, topics: [...byTopic.keys()], messages: chunks.reduce((n, c) => n + c.messages.length, 0) },
        'Kafka rejected a producer batch',
      );
      throw publishError(error);
    }
  }

  async consume(options: ConsumerOptions): Promise<ConsumerHandle> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new TransportUnavailableError(`Kafka transport is ${this.state}`);
    }
    return this.consumers.add(
      options,
      this.fullTopic(options.topic),
      (setup) => new KafkaConsumer(this.kafka, this.settings, setup),
    );
  }

  /** Producer connected and a metadata request answered within healthTimeoutMs; cached briefly. */
  isHealthy(): Promise<boolean> {
    return this.health.check(() => this.state === 'connected');
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
    await this.consumers.stopAll();
    // Every queued publish settles within publishTimeoutMs (acknowledged or rejected); a
    // request kafkajs is still retrying past that is cut short by the disconnect.
    if (wasConnected)
      await withTimeout(this.batcher.flush(), this.settings.publishTimeoutMs, () => new Error('flush')).catch(
        () => undefined,
      );
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

/** Batches of one tick handed to the handler together; `alone` chains their retries one by one. */
interface Gathering {
  messages: IncomingMessage[];
  partitions: number;
  /** Some partition of the fetch has more waiting after its batch. */
  lagging: boolean;
  done: Promise<void>;
  alone: Promise<void>;
}

/**
 * One consumer group member. It connects, joins and fetches in the background, and is
 * recreated (after a pause) when it cannot connect or crashes in a way kafkajs gives up on.
 */
class KafkaConsumer extends GroupMember {
  private joined = false;
  private consumer?: Consumer;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly failures = new Map<number, number>();
  /** The partitions' batches of this tick, handled together once it ends. */
  private gathering?: Gathering;
  private readonly commits: BackgroundCommits;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: Settings,
    setup: MemberSetup,
  ) {
    super(setup);
    this.commits = new BackgroundCommits(
      (err) => this.logger.warn({ ...this.context, err }, 'Kafka offset commit failed; the next one covers it'),
      settings.commitSpacingMs,
    );
    this.begin();
  }

  protected async interrupt(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.settleCommits();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  protected async run(): Promise<void> {
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
        if (this.joined) this.markReady();
      });
      try {
        await consumer.connect();
        if (!this.stopped) {
          await consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning });
          await consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? PARTITIONS_PER_BATCH,
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
      if (!this.stopped) await this.signal.wait(backoff(1000, attempt, 10_000));
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
    let lagging: boolean;
    try {
      lagging = await this.coalesced(messages, batch.offsetLag() !== '0');
    } catch (error) {
      const failures = (this.failures.get(batch.partition) ?? 0) + 1;
      this.failures.set(batch.partition, failures);
      const delay = this.handlerFailed(error, failures, {
        partition: batch.partition,
        firstOffset: batch.firstOffset(),
        lastOffset: batch.lastOffset(),
      });
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
    this.commits.request(() => commitOffsetsIfNecessary(uncommittedOffsets()));
    // Stopping: kafkajs leaves the group after this batch, so its offsets are committed first.
    if (!isRunning()) await this.settleCommits();
    // kafkajs fetches again once every batch of this fetch returns, so this delays that fetch;
    // not while any partition of it has more waiting (a group catching up reads on at full
    // speed: one partition caught up must not hold back another's backlog).
    else if (!lagging) await this.batchWindow();
  }

  /**
   * Hands the batches kafkajs gives out together (one fetch, several partitions, up to
   * `partitionsConcurrently`) to the handler as one call: a handler pays its transaction once
   * per fetch, not once per partition. Batches arrive in one tick; each partition's next batch
   * waits for this one to settle, so per-partition order holds. When the call throws, each
   * partition's batch is tried once more on its own, one after another, so a message that
   * always fails stops its partition only, as it did before batches were gathered.
   */
  private async coalesced(messages: IncomingMessage[], lagging: boolean): Promise<boolean> {
    if (!this.gathering) {
      const group: Gathering = {
        messages: [],
        partitions: 0,
        lagging: false,
        done: Promise.resolve(),
        alone: Promise.resolve(),
      };
      group.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.gathering = undefined;
        return this.options.handleBatch(group.messages);
      });
      this.gathering = group;
    }
    const group = this.gathering;
    group.messages.push(...messages);
    group.partitions++;
    group.lagging ||= lagging;
    try {
      await group.done;
    } catch (error) {
      if (group.partitions === 1) throw error;
      const own = group.alone.then(() => this.options.handleBatch(messages));
      group.alone = own.catch(() => undefined);
      await own;
    }
    return group.lagging;
  }

  /**
   * Waits for the commits in flight, but not for ever: a broker that stopped answering must not
   * hold up a shutdown. Offsets not committed are delivered again, which handlers absorb.
   */
  private async settleCommits(): Promise<void> {
    await withTimeout(
      this.commits.settle(),
      COMMIT_SETTLE_MS,
      () => new Error(`offset commit unanswered after ${COMMIT_SETTLE_MS} ms`),
    ).catch((err) =>
      this.logger.warn(
        { ...this.context, err },
        'Kafka offsets left uncommitted at stop; they will be delivered again',
      ),
    );
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
}
