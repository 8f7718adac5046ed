import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MessageTransport, OutgoingMessage } from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { OutboxEntry, OutboxSource } from './outbox-source';
import { closeQuietly, ownConnection, quoteIdentifier } from './own-connection';
import { Signal } from './signal';

/** The process's relay, for the modules that read what it publishes and for readiness. */
export const OUTBOX_RELAY = Symbol('OUTBOX_RELAY');

export interface OutboxRelayOptions {
  /** Most rows per publish. Default 500. */
  batchSize?: number;
  /** Fallback poll while leader (wake-ups normally come by notify or LISTEN). Default 500. */
  pollIntervalMs?: number;
  /** How often a follower tries to take the lock. Default 1000. */
  lockRetryMs?: number;
  /** Pause after a failed publish before trying again. Default 1000. */
  retryDelayMs?: number;
}

/**
 * Ships an outbox source's unpublished rows to the transport in position order (so in order
 * per key), then marks them published. One relay works a source at a time across instances:
 * the one holding the source's session advisory lock on its own connection; the others retry
 * the lock every lockRetryMs. Delivery is at least once: a relay that dies between publish
 * and mark makes the next leader publish those rows again (consumers dedupe).
 */
export class OutboxRelay {
  private readonly settings: Required<OutboxRelayOptions>;
  private readonly signal = new Signal();
  /** Interrupts pauses on stop only: a notify() must not turn a retry pause into a busy loop. */
  private readonly stopSignal = new Signal();
  private stopped = false;
  private leader = false;
  private loop?: Promise<void>;
  private stopping?: Promise<void>;
  private published = 0;
  private readonly publishedListeners: Array<(topic: string, messages: OutgoingMessage[]) => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MessageTransport,
    private readonly source: OutboxSource,
    private readonly logger: MessagingLogger = silentLogger,
    options: OutboxRelayOptions = {},
  ) {
    this.settings = {
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      lockRetryMs: options.lockRetryMs ?? 1000,
      retryDelayMs: options.retryDelayMs ?? 1000,
    };
  }

  /**
   * Called with each run of messages once the transport has acknowledged it (durable, in
   * position order), before the rows are marked: this instance's own readers can act on them
   * without waiting for the transport to bring them back. Listeners must not throw or block.
   */
  onPublished(listener: (topic: string, messages: OutgoingMessage[]) => void): void {
    this.publishedListeners.push(listener);
  }

  /** Whether the transport it publishes on answers (it may be its own; see bootstrap). */
  transportHealthy(): Promise<boolean> {
    return this.transport.isHealthy();
  }

  /** Whether this relay currently holds the lock. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Rows this relay has published (and marked) so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Starts the background loop; does not wait to become leader. */
  async start(): Promise<void> {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Wakes the relay now: call after committing new rows. Cheap; a no-op on followers. */
  notify(): void {
    this.signal.notify();
  }

  /** Finishes the in-flight batch, releases the lock. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.signal.notify();
      this.stopSignal.notify();
      await this.loop;
    })();
    return this.stopping;
  }

  private async run(): Promise<void> {
    let client: Client | undefined;
    while (!this.stopped) {
      try {
        client ??= await this.connect();
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [this.source.lockKey])).rows;
        if (row?.locked) {
          await this.lead(client);
          // lead() returns when stopping or when the connection failed.
          await closeQuietly(client);
          client = undefined;
          continue;
        }
      } catch (error) {
        this.logger.warn({ ...this.context, err: error }, 'Outbox relay cannot reach PostgreSQL; retrying');
        if (client) await closeQuietly(client);
        client = undefined;
      }
      await this.sleep(this.settings.lockRetryMs);
    }
    if (client) await closeQuietly(client);
  }

  /** A dedicated connection (not from the pool): the lock lives and dies with it. */
  private async connect(): Promise<Client> {
    const client = ownConnection(this.dataSource, 'sitrep-outbox-relay');
    client.on('error', (err) => this.logger.debug({ ...this.context, err }, 'Outbox relay connection error'));
    try {
      await client.connect();
      // This session only marks rows published. If a crash loses a mark, the rows are
      // published again and consumers drop them; no need to wait for fsync.
      await client.query(`SET synchronous_commit = off`);
    } catch (error) {
      await closeQuietly(client);
      throw error;
    }
    return client;
  }

  private async lead(client: Client): Promise<void> {
    const { channel } = this.source;
    let broken = false;
    const onNotification = (message: { channel: string }) => {
      if (message.channel === channel) this.signal.notify();
    };
    const onEnd = () => {
      broken = true;
      this.signal.notify();
    };
    client.on('notification', onNotification);
    client.on('error', onEnd);
    client.on('end', onEnd);
    try {
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      this.leader = true;
      this.logger.info(this.context, 'Outbox relay is leader');
      let pending = true; // rows may have waited while no relay was leader
      while (!this.stopped && !broken) {
        if (!pending) await this.signal.wait(this.settings.pollIntervalMs);
        if (this.stopped || broken) break;
        pending = false;
        const entries = await this.source.unpublished(client, this.settings.batchSize);
        if (entries.length === 0) continue;
        try {
          await this.publish(entries);
        } catch (error) {
          this.logger.error(
            { ...this.context, err: error, entries: entries.length, firstPosition: entries[0].position },
            'Outbox relay cannot publish; retrying',
          );
          await this.sleep(this.settings.retryDelayMs);
          pending = true;
          continue;
        }
        await this.source.markPublished(
          client,
          entries.map((e) => e.position),
        );
        this.published += entries.length;
        pending = entries.length === this.settings.batchSize;
      }
    } catch (error) {
      // A database error: the connection (and with it the lock) is closed by the caller.
      this.logger.warn({ ...this.context, err: error }, 'Outbox relay lost its PostgreSQL connection; stepping down');
    } finally {
      this.leader = false;
      client.off('notification', onNotification);
      client.off('error', onEnd);
      client.off('end', onEnd);
      this.logger.info(this.context, 'Outbox relay stepped down');
    }
  }

  /** Publishes runs of one topic in position order; each run resolves only once durable. */
  private async publish(entries: OutboxEntry[]): Promise<void> {
    let start = 0;
    while (start < entries.length) {
      const topic = entries[start].topic;
      let end = start + 1;
      while (end < entries.length && entries[end].topic === topic) end++;
      const messages = entries.slice(start, end).map((e) => e.message);
      await this.transport.publish(topic, messages);
      for (const listener of this.publishedListeners) {
        try {
          listener(topic, messages);
        } catch (error) {
          this.logger.warn({ ...this.context, err: error }, 'A published-messages listener failed; ignored');
        }
      }
      start = end;
    }
  }

  private get context() {
    return { outbox: this.source.name };
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.stopped) await this.stopSignal.wait(ms);
  }
}
