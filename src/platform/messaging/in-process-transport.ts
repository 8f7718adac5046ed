import { EventEmitter } from 'node:events';
import { DataSource, QueryRunner } from 'typeorm';
import { MAX_MESSAGE_BYTES, checkedSizes, splitBySize } from './message-limits';
import {
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageTransport,
  OutgoingMessage,
} from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { Signal, withTimeout } from './signal';
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
  /** Fallback poll of an idle consumer (wake-ups are immediate in this process). Default 500. */
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

const MAX_RETRY_DELAY_MS = 5000;

/**
 * "sitrep transport" in PostgreSQL's advisory lock space. Every insert takes it for its
 * transaction, so offsets (bigserial) become visible in order even with several writers:
 * a consumer that has read offset n never later finds a smaller offset appear.
 */
const INSERT_LOCK_KEY = 0x5472_6e73;

// `WITH lock ... FROM lock, unnest(...)`: no row reaches the insert (and so no offset is
// drawn) before the lock is held; one statement, one round trip, committed on its own.
const INSERT_SQL = `
  WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${INSERT_LOCK_KEY}))
  INSERT INTO transport_messages (topic, key, value, headers)
  SELECT m.topic, m.key, m.value, m.headers
  FROM lock, unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[]) AS m(topic, key, value, headers)
  RETURNING "offset"`;

/** Wakes every in-process consumer of a topic after an insert, across transport instances. */
const inserted = new EventEmitter();
inserted.setMaxListeners(0);

interface Pending {
  topic: string;
  messages: OutgoingMessage[];
  bytes: number;
  settle(error?: Error): void;
}

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
  private queue: Pending[] = [];
  private writing = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { publishes: 0, messages: 0, inserts: 0 };
  private readonly consumers = new Set<InProcessConsumer>();
  private health?: { healthy: boolean; at: number };
  private healthCheck?: Promise<boolean>;
  private stopping?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: MessagingLogger = silentLogger,
    options: InProcessTransportOptions = {},
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.settings = { ...DEFAULTS, ...defined } as Settings;
  }

  /** Counters for tests and metrics: publish calls, messages, and INSERT statements made. */
  get stats(): Readonly<{ publishes: number; messages: number; inserts: number }> {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    if (this.state === 'new') this.state = 'started';
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.state !== 'started') {
      return Promise.reject(new TransportUnavailableError(`In-process transport is ${this.state}`));
    }
    let sizes: number[];
    try {
      sizes = checkedSizes(messages, this.settings.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.publishes++;
    this.counters.messages += messages.length;
    const runs = splitBySize(messages, sizes, this.settings.maxInsertRows, this.settings.maxInsertBytes);
    const fullTopic = this.fullTopic(topic);
    return new Promise<void>((resolve, reject) => {
      let remaining = runs.length;
      let failed = false;
      for (const run of runs) {
        this.queue.push({
          topic: fullTopic,
          messages: run.messages,
          bytes: run.bytes,
          settle: (error) => {
            if (failed) return;
            if (error) {
              failed = true;
              reject(error);
            } else if (--remaining === 0) resolve();
          },
        });
      }
      this.scheduleWrite();
    });
  }

  private scheduleWrite(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // setImmediate gathers the publishes of this turn of the event loop; while an insert is
    // running, later ones gather in the queue and form the next insert.
    setImmediate(() => {
      this.scheduled = false;
      this.writing = true;
      void this.writeLoop().finally(() => {
        this.writing = false;
        if (this.queue.length > 0) this.scheduleWrite();
        else this.notifyIdle();
      });
    });
  }

  private async writeLoop(): Promise<void> {
    for (;;) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const rows = batch.flatMap((p) => p.messages.map((m) => ({ topic: p.topic, message: m })));
      this.counters.inserts++;
      try {
        await this.dataSource.query(INSERT_SQL, [
          rows.map((r) => r.topic),
          rows.map((r) => r.message.key),
          rows.map((r) => (typeof r.message.value === 'string' ? Buffer.from(r.message.value) : r.message.value)),
          rows.map((r) => JSON.stringify(r.message.headers ?? {})),
        ]);
      } catch (error) {
        this.logger.warn({ err: error, messages: rows.length }, 'In-process transport insert failed');
        const failure = new TransportUnavailableError('PostgreSQL did not store the messages', { cause: error });
        for (const pending of batch) pending.settle(failure);
        continue;
      }
      for (const pending of batch) pending.settle();
      for (const topic of new Set(batch.map((p) => p.topic))) inserted.emit(topic);
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      const fits =
        rows + next.messages.length <= this.settings.maxInsertRows &&
        bytes + next.bytes <= this.settings.maxInsertBytes;
      if (batch.length > 0 && !fits) break;
      this.queue.shift();
      batch.push(next);
      rows += next.messages.length;
      bytes += next.bytes;
    }
    return batch;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private flush(): Promise<void> {
    if (!this.writing && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
    const consumer = new InProcessConsumer(
      this.dataSource,
      options,
      this.fullTopic(options.topic),
      this.settings,
      this.logger,
      () => this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    await consumer.firstAttempt;
    return consumer;
  }

  isHealthy(): Promise<boolean> {
    if (this.state !== 'started') return Promise.resolve(false);
    if (this.health && Date.now() - this.health.at < this.settings.healthCacheMs) {
      return Promise.resolve(this.health.healthy);
    }
    this.healthCheck ??= withTimeout(
      this.dataSource.query('SELECT 1'),
      this.settings.healthTimeoutMs,
      () => new Error('PostgreSQL health check timed out'),
    )
      .then(
        () => this.state === 'started',
        () => false,
      )
      .then((healthy) => {
        this.health = { healthy, at: Date.now() };
        this.healthCheck = undefined;
        return healthy;
      });
    return this.healthCheck;
  }

  /** Stops consumers (in-flight batches finish) and waits for queued inserts. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopping';
      await Promise.all([...this.consumers].map((c) => c.stop()));
      await this.flush();
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
class InProcessConsumer implements ConsumerHandle {
  readonly ready: Promise<void>;
  /** Settles after the first attempt to fix the starting offset, whatever its outcome. */
  readonly firstAttempt: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private resolveFirstAttempt!: () => void;
  private stopped = false;
  private readonly signal = new Signal();
  /** Interrupts an error pause on stop only; new messages must not cut a retry pause short. */
  private readonly stopSignal = new Signal();
  private readonly onInsert = () => this.signal.notify();
  /** Last offset this member committed or saw committed; only ever behind the truth. */
  private knownOffset?: string;
  private readonly loop: Promise<void>;
  private stopping?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
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
    this.firstAttempt = new Promise<void>((resolve) => (this.resolveFirstAttempt = resolve));
    inserted.on(topic, this.onInsert);
    this.loop = this.run();
  }

  private get context() {
    return { groupId: this.options.groupId, topic: this.topic };
  }

  private async run(): Promise<void> {
    let failures = 0;
    let initialised = false;
    while (!this.stopped) {
      try {
        if (!initialised) {
          await this.initialise();
          initialised = true;
          this.resolveReady();
          this.resolveFirstAttempt();
        }
        const full = await this.processBatch();
        failures = 0;
        if (full) continue;
        await this.signal.wait(this.settings.pollIntervalMs);
      } catch (error) {
        this.resolveFirstAttempt();
        failures++;
        const delay = Math.min(this.settings.retryDelayMs * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
        const handlerFailed = error instanceof HandlerFailure;
        this.logger.error(
          { ...this.context, err: handlerFailed ? error.cause : error, failures, retryInMs: delay },
          handlerFailed
            ? 'Consumer handler failed; the batch will be delivered again'
            : initialised
              ? 'In-process consumer cannot read its topic; retrying'
              : 'In-process consumer cannot start; retrying',
        );
        await this.stopSignal.wait(delay);
      }
    }
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

  /** Handles at most one batch; true when the batch was full (more may be waiting). */
  private async processBatch(): Promise<boolean> {
    if (this.knownOffset !== undefined) {
      // Cheap check outside a transaction: nothing past what we know is committed → idle.
      const any = await this.dataSource.query(
        `SELECT 1 FROM transport_messages WHERE topic = $1 AND "offset" > $2 LIMIT 1`,
        [this.topic, this.knownOffset],
      );
      if (any.length === 0) return false;
    }
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The offset commit need not wait for the WAL flush: if a crash loses it, the batch is
      // delivered again (consumers are idempotent), and WAL order means it can never outlive
      // what the handler wrote before it.
      const owned: Array<{ offset: string }> = await runner.query(
        `SELECT "offset", set_config('synchronous_commit', 'off', true) FROM transport_offsets
         WHERE group_id = $1 AND topic = $2 FOR UPDATE SKIP LOCKED`,
        [this.options.groupId, this.topic],
      );
      if (owned.length === 0) {
        // Another member of the group holds it; it will handle what is there.
        await runner.rollbackTransaction();
        return false;
      }
      const committed = owned[0].offset;
      const rows: MessageRow[] = await runner.query(
        `SELECT "offset", key, value, headers, created_at FROM transport_messages
         WHERE topic = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3`,
        [this.topic, committed, this.settings.maxBatchMessages],
      );
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        this.knownOffset = committed;
        return false;
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
      return rows.length === this.settings.maxBatchMessages;
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

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      inserted.off(this.topic, this.onInsert);
      this.rejectReady(new Error('consumer stopped'));
      this.signal.notify();
      this.stopSignal.notify();
      await this.loop;
      this.resolveFirstAttempt();
      this.onStopped();
    })();
    return this.stopping;
  }
}
