import { EventEmitter } from 'node:events';
import { DataSource, QueryRunner } from 'typeorm';
import { backoff } from './backoff';
import { CachedHealth } from './cached-health';
import { GroupMember, GroupMembers, MemberSetup } from './group-member';
import { InsertListener, TRANSPORT_CHANNEL } from './insert-listener';
import { MAX_MESSAGE_BYTES } from './message-limits';
import {
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageTransport,
  OutgoingMessage,
} from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { PublishBatcher, PublishChunk } from './publish-batcher';
import { withDefaults } from './settings';
import { Signal } from './signal';
import { TransportUnavailableError } from './transport-errors';

export interface InProcessTransportOptions {
  /** Prepended to every topic name, as the Kafka transport does. Default ''. */
  topicPrefix?: string;
  /** Most messages one handleBatch call gets. Default 500. */
  maxBatchMessages?: number;
  /** Bounds of one INSERT. Defaults: 1000 rows, 4 MB. */
  maxInsertRows?: number;
  maxInsertBytes?: number;
  /** Largest single message accepted; the same limit as Kafka so both modes agree. */
  maxMessageBytes?: number;
  /** Fallback poll of an idle consumer (wake-ups are immediate: in this process, and from others by LISTEN). Default 500. */
  pollIntervalMs?: number;
  /** First pause before a failed batch is delivered again; doubles up to 5 s. Default 200. */
  retryDelayMs?: number;
  healthTimeoutMs?: number;
  healthCacheMs?: number;
}

type Settings = Required<InProcessTransportOptions>;

const DEFAULTS: Settings = {
  topicPrefix: '',
  maxBatchMessages: 500,
  maxInsertRows: 1000,
  maxInsertBytes: 4_000_000,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  pollIntervalMs: 500,
  retryDelayMs: 200,
  healthTimeoutMs: 1500,
  healthCacheMs: 1000,
};

/**
 * "sitrep transport" in PostgreSQL's advisory lock space. Every insert takes it for its
 * transaction, so offsets (bigserial) become visible in order even with several writers:
 * a consumer that has read offset n never later finds a smaller offset appear.
 */
const INSERT_LOCK_KEY = 0x5472_6e73;

// `WITH lock ... FROM lock, unnest(...)`: no row reaches the insert (and so no offset is
// drawn) before the lock is held; one statement, one round trip, committed on its own. It
// notifies each topic it wrote to, for consumers in other processes (InsertListener).
const INSERT_SQL = `
  WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${INSERT_LOCK_KEY})),
  written AS (
    INSERT INTO transport_messages (topic, key, value, headers)
    SELECT m.topic, m.key, m.value, m.headers
    FROM lock, unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[]) AS m(topic, key, value, headers)
    RETURNING topic)
  SELECT pg_notify('${TRANSPORT_CHANNEL}', topic) FROM (SELECT DISTINCT topic FROM written) AS topics`;

/** Wakes every in-process consumer of a topic after an insert, across transport instances. */
const inserted = new EventEmitter();
inserted.setMaxListeners(0);

/**
 * The embedded-mode transport: a durable log in PostgreSQL (`transport_messages`) with
 * per-group committed offsets (`transport_offsets`). Publishing resolves once the rows are
 * committed. Concurrent publishes are gathered into one multi-row INSERT, and inserts run one
 * at a time, so offsets commit in order.
 */
export class InProcessTransport implements MessageTransport {
  readonly kind = 'in-process' as const;

  private readonly settings: Settings;
  private state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  private readonly batcher: PublishBatcher<OutgoingMessage>;
  private readonly health: CachedHealth;
  private readonly consumers: GroupMembers<InProcessConsumer>;
  private readonly listener: InsertListener;
  private stopping?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: MessagingLogger = silentLogger,
    options: InProcessTransportOptions = {},
  ) {
    this.settings = withDefaults(DEFAULTS, options);
    this.batcher = new PublishBatcher({
      bounds: {
        maxMessages: this.settings.maxInsertRows,
        maxBytes: this.settings.maxInsertBytes,
        maxMessageBytes: this.settings.maxMessageBytes,
      },
      lingerMs: 0,
      convert: (message) => message,
      write: (chunks) => this.insert(chunks),
    });
    this.health = new CachedHealth(() => this.dataSource.query('SELECT 1'), this.settings);
    this.consumers = new GroupMembers(logger, this.settings.retryDelayMs);
    this.listener = new InsertListener(dataSource, (topic) => inserted.emit(topic), logger);
  }

  /** Counters for tests and metrics: publish calls, messages, and INSERT statements made. */
  get stats(): Readonly<{ publishes: number; messages: number; inserts: number }> {
    const { publishes, messages, requests } = this.batcher.stats;
    return { publishes, messages, inserts: requests };
  }

  async start(): Promise<void> {
    if (this.state === 'new') this.state = 'started';
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length > 0 && this.state !== 'started') {
      return Promise.reject(new TransportUnavailableError(`In-process transport is ${this.state}`));
    }
    return this.batcher.publish(this.fullTopic(topic), messages);
  }

  private async insert(chunks: PublishChunk<OutgoingMessage>[]): Promise<void> {
    const rows = chunks.flatMap((chunk) => chunk.messages.map((message) => ({ topic: chunk.topic, message })));
    try {
      await this.dataSource.query(INSERT_SQL, [
        rows.map((r) => r.topic),
        rows.map((r) => r.message.key),
        rows.map((r) => (typeof r.message.value === 'string' ? Buffer.from(r.message.value) : r.message.value)),
        rows.map((r) => JSON.stringify(r.message.headers ?? {})),
      ]);
    } catch (error) {
      this.logger.warn({ err: error, messages: rows.length }, 'In-process transport insert failed');
      throw new TransportUnavailableError('PostgreSQL did not store the messages', { cause: error });
    }
    for (const topic of new Set(chunks.map((chunk) => chunk.topic))) inserted.emit(topic);
  }

  /**
   * Starts a consumer loop. Resolves once the group's starting offset is fixed (a quick
   * insert), so that whatever is published afterwards is seen, even with fromBeginning:false;
   * if PostgreSQL does not answer, the loop keeps trying in the background.
   */
  async consume(options: ConsumerOptions): Promise<ConsumerHandle> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new TransportUnavailableError(`In-process transport is ${this.state}`);
    }
    this.listener.start();
    const consumer = this.consumers.add(
      options,
      this.fullTopic(options.topic),
      (setup) => new InProcessConsumer(this.dataSource, this.settings, setup),
    );
    await consumer.firstAttempt;
    return consumer;
  }

  /** PostgreSQL answered `SELECT 1` within healthTimeoutMs; cached briefly. */
  isHealthy(): Promise<boolean> {
    return this.health.check(() => this.state === 'started');
  }

  /** Stops consumers (in-flight batches finish) and waits for queued inserts. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopping';
      await this.consumers.stopAll();
      await this.listener.stop();
      await this.batcher.flush();
      this.state = 'stopped';
    })();
    return this.stopping;
  }

  private fullTopic(topic: string): string {
    return `${this.settings.topicPrefix}${topic}`;
  }
}

/** Marks an error thrown by the handler, as opposed to one of the transport's own queries. */
class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super('consumer handler failed', { cause });
  }
}

interface MessageRow {
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * One group member's loop. Each batch is read and handled inside a transaction that holds the
 * group's offset row (`FOR UPDATE SKIP LOCKED`), so two members of one group, in this process
 * or another, never handle the same messages; the offset is advanced in that transaction.
 */
class InProcessConsumer extends GroupMember {
  /** Settles after the first attempt to fix the starting offset, whatever its outcome. */
  readonly firstAttempt: Promise<void>;
  private resolveFirstAttempt!: () => void;
  /** Interrupts an error pause on stop only; new messages must not cut a retry pause short. */
  private readonly stopSignal = new Signal();
  private readonly onInsert = () => {
    this.woken = true;
    this.signal.notify();
  };
  /** An insert on the topic was seen since the last batch began. */
  private woken = false;
  /** Last offset this member committed or saw committed; only ever behind the truth. */
  private knownOffset?: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: Settings,
    setup: MemberSetup,
  ) {
    super(setup);
    this.firstAttempt = new Promise<void>((resolve) => (this.resolveFirstAttempt = resolve));
    inserted.on(this.topic, this.onInsert);
    this.begin();
  }

  protected async run(): Promise<void> {
    let failures = 0;
    let initialised = false;
    while (!this.stopped) {
      try {
        if (!initialised) {
          await this.initialise();
          initialised = true;
          this.markReady();
          this.resolveFirstAttempt();
        }
        const handled = await this.processBatch();
        failures = 0;
        if (handled === this.settings.maxBatchMessages) continue;
        if (handled > 0 && this.options.batchWindowMs) {
          await this.batchWindow();
          continue;
        }
        await this.signal.wait(this.settings.pollIntervalMs);
      } catch (error) {
        this.resolveFirstAttempt();
        failures++;
        const delay =
          error instanceof HandlerFailure
            ? this.handlerFailed(error.cause, failures)
            : this.readFailed(error, failures, initialised);
        await this.stopSignal.wait(delay);
      }
    }
  }

  private readFailed(error: unknown, failures: number, initialised: boolean): number {
    const delay = backoff(this.settings.retryDelayMs, failures);
    this.logger.error(
      { ...this.context, err: error, failures, retryInMs: delay },
      initialised
        ? 'In-process consumer cannot read its topic; retrying'
        : 'In-process consumer cannot start; retrying',
    );
    return delay;
  }

  protected async interrupt(): Promise<void> {
    inserted.off(this.topic, this.onInsert);
    this.stopSignal.notify();
    this.resolveFirstAttempt();
  }

  /** Creates the group's offset row if it has none: 0, or the topic's current end. */
  private async initialise(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO transport_offsets (group_id, topic, "offset")
       SELECT $1, $2, CASE WHEN $3::boolean THEN 0
                           ELSE COALESCE((SELECT max("offset") FROM transport_messages WHERE topic = $2), 0) END
       ON CONFLICT (group_id, topic) DO NOTHING`,
      [this.options.groupId, this.topic, this.options.fromBeginning],
    );
  }

  /** Handles at most one batch; returns how many messages it handled (a full batch: more may be waiting). */
  private async processBatch(): Promise<number> {
    const woken = this.woken;
    this.woken = false;
    if (this.knownOffset !== undefined && !woken) {
      // Cheap check outside a transaction: nothing past what we know is committed → idle. An
      // insert on the topic since the last batch says there is something; no need to ask.
      const any = await this.dataSource.query(
        `SELECT 1 FROM transport_messages WHERE topic = $1 AND "offset" > $2 LIMIT 1`,
        [this.topic, this.knownOffset],
      );
      if (any.length === 0) return 0;
    }
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The group's offset row and the messages after it in one round trip. The offset commit
      // need not wait for the WAL flush: if a crash loses it, the batch is delivered again
      // (consumers are idempotent), and WAL order means it can never outlive what the handler
      // wrote before it.
      const found: Array<MessageRow & { committed: string; async_commit: string }> = await runner.query(
        `SELECT o."offset" AS committed, o.async_commit, m."offset", m.key, m.value, m.headers, m.created_at
         FROM (SELECT "offset", set_config('synchronous_commit', 'off', true) AS async_commit
               FROM transport_offsets WHERE group_id = $1 AND topic = $2 FOR UPDATE SKIP LOCKED) AS o
         LEFT JOIN LATERAL (SELECT "offset", key, value, headers, created_at FROM transport_messages
                            WHERE topic = $2 AND "offset" > o."offset" ORDER BY "offset" LIMIT $3) AS m ON true
         ORDER BY m."offset"`,
        [this.options.groupId, this.topic, this.settings.maxBatchMessages],
      );
      if (found.length === 0) {
        // Another member of the group holds it; it will handle what is there.
        await runner.rollbackTransaction();
        return 0;
      }
      const committed = found[0].committed;
      const rows: MessageRow[] = found[0].offset === null ? [] : found;
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        this.knownOffset = committed;
        return 0;
      }
      try {
        await this.options.handleBatch(rows.map((row) => this.toIncoming(row)));
      } catch (error) {
        throw new HandlerFailure(error);
      }
      const last = rows[rows.length - 1].offset;
      await runner.query(`UPDATE transport_offsets SET "offset" = $3 WHERE group_id = $1 AND topic = $2`, [
        this.options.groupId,
        this.topic,
        last,
      ]);
      await runner.commitTransaction();
      this.knownOffset = last;
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private toIncoming(row: MessageRow): IncomingMessage {
    return {
      topic: this.options.topic,
      partition: 0,
      offset: String(row.offset),
      key: row.key,
      value: row.value,
      headers: row.headers ?? {},
      timestamp: new Date(row.created_at).getTime(),
    };
  }
}
