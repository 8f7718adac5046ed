import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { MessageTransport, OutgoingMessage, TOPICS } from './message-transport';
import { MessagingLogger, silentLogger } from './messaging-logger';
import { Signal } from './signal';

/**
 * The PostgreSQL channel the relay listens on. Writers of incident_events call
 * `SELECT pg_notify('sitrep_outbox', '')` in their transaction; the notification is delivered
 * when it commits.
 */
export const OUTBOX_CHANNEL = 'sitrep_outbox';

/** "sitrep outbox" in PostgreSQL's advisory lock space: held by the one relay at work. */
export const OUTBOX_LOCK_KEY = 0x4f75_7462;

export interface OutboxRelayOptions {
  /** Most events per publish. Default 500. */
  batchSize?: number;
  /** Fallback poll while leader (wake-ups normally come by notify or LISTEN). Default 500. */
  pollIntervalMs?: number;
  /** How often a follower tries to take the lock. Default 1000. */
  lockRetryMs?: number;
  /** Pause after a failed publish before trying again. Default 1000. */
  retryDelayMs?: number;
}

/** The integration event on the incident-events topic, keyed by incidentId. */
export interface IncidentEventMessage {
  incidentId: string;
  seq: number;
  type: string;
  actor: string;
  occurredAt: string;
  data: unknown;
}

interface EventRow {
  position: string;
  incident_id: string;
  seq: number;
  type: string;
  actor: string;
  occurred_at: Date;
  data: unknown;
}

/**
 * Ships unpublished incident_events rows to the incident-events topic in position order (so
 * in seq order per incident), then marks them published. One relay works at a time across
 * instances: the one holding a session advisory lock on its own connection; the others retry
 * the lock every lockRetryMs. Delivery is at least once: a relay that dies between publish
 * and update makes the next leader publish those rows again (consumers dedupe by seq).
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MessageTransport,
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

  /** Whether this relay currently holds the lock. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Events this relay has published (and marked) so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Starts the background loop; does not wait to become leader. */
  async start(): Promise<void> {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Wakes the relay now: call after committing new events. Cheap; a no-op on followers. */
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
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [OUTBOX_LOCK_KEY])).rows;
        if (row?.locked) {
          await this.lead(client);
          // lead() returns when stopping or when the connection failed.
          await closeQuietly(client);
          client = undefined;
          continue;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'Outbox relay cannot reach PostgreSQL; retrying');
        if (client) await closeQuietly(client);
        client = undefined;
      }
      await this.sleep(this.settings.lockRetryMs);
    }
    if (client) await closeQuietly(client);
  }

  /** A dedicated connection (not from the pool): the lock lives and dies with it. */
  private async connect(): Promise<Client> {
    const client = new Client(clientConfig(this.dataSource));
    client.on('error', (err) => this.logger.debug({ err }, 'Outbox relay connection error'));
    try {
      await client.connect();
      // This session only marks rows published. If a crash loses a mark, the rows are
      // published again and consumers drop them by (incidentId, seq); no need to wait for fsync.
      await client.query(`SET synchronous_commit = off`);
    } catch (error) {
      await closeQuietly(client);
      throw error;
    }
    return client;
  }

  private async lead(client: Client): Promise<void> {
    let broken = false;
    const onNotification = (message: { channel: string }) => {
      if (message.channel === OUTBOX_CHANNEL) this.signal.notify();
    };
    const onEnd = () => {
      broken = true;
      this.signal.notify();
    };
    client.on('notification', onNotification);
    client.on('error', onEnd);
    client.on('end', onEnd);
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.leader = true;
      this.logger.info({}, 'Outbox relay is leader');
      let pending = true; // rows may have waited while no relay was leader
      while (!this.stopped && !broken) {
        if (!pending) await this.signal.wait(this.settings.pollIntervalMs);
        if (this.stopped || broken) break;
        pending = false;
        const rows = await this.nextBatch(client);
        if (rows.length === 0) continue;
        try {
          await this.transport.publish(TOPICS.incidentEvents, rows.map(toMessage));
        } catch (error) {
          this.logger.error(
            { err: error, events: rows.length, firstPosition: rows[0].position },
            'Outbox relay cannot publish; retrying',
          );
          await this.sleep(this.settings.retryDelayMs);
          pending = true;
          continue;
        }
        await client.query('UPDATE incident_events SET published = true WHERE position = ANY($1::bigint[])', [
          rows.map((r) => r.position),
        ]);
        this.published += rows.length;
        pending = rows.length === this.settings.batchSize;
      }
    } catch (error) {
      // A database error: the connection (and with it the lock) is closed by the caller.
      this.logger.warn({ err: error }, 'Outbox relay lost its PostgreSQL connection; stepping down');
    } finally {
      this.leader = false;
      client.off('notification', onNotification);
      client.off('error', onEnd);
      client.off('end', onEnd);
      this.logger.info({}, 'Outbox relay stepped down');
    }
  }

  private async nextBatch(client: Client): Promise<EventRow[]> {
    const result = await client.query<EventRow>(
      `SELECT position, incident_id, seq, type, actor, occurred_at, data FROM incident_events
       WHERE NOT published ORDER BY position LIMIT $1`,
      [this.settings.batchSize],
    );
    return result.rows;
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.stopped) await this.stopSignal.wait(ms);
  }
}

/** Closing the session releases the advisory lock and the LISTEN with it. */
async function closeQuietly(client: Client): Promise<void> {
  await client.end().catch(() => undefined);
}

/** Connection settings of the DataSource, for a connection of our own. */
function clientConfig(dataSource: DataSource): ClientConfig {
  const options = dataSource.options as unknown as Record<string, unknown>;
  const extra = (options.extra ?? {}) as Record<string, unknown>;
  return {
    connectionString: options.url as string | undefined,
    host: options.host as string | undefined,
    port: options.port as number | undefined,
    user: options.username as string | undefined,
    password: typeof options.password === 'string' ? options.password : undefined,
    database: options.database as string | undefined,
    ssl: options.ssl as ClientConfig['ssl'],
    connectionTimeoutMillis: (extra.connectionTimeoutMillis as number | undefined) ?? 5000,
    statement_timeout: 30000,
    keepAlive: true,
    application_name: 'sitrep-outbox-relay',
  };
}

function toMessage(row: EventRow): OutgoingMessage {
  const event: IncidentEventMessage = {
    incidentId: row.incident_id,
    seq: row.seq,
    type: row.type,
    actor: row.actor,
    occurredAt: new Date(row.occurred_at).toISOString(),
    data: row.data,
  };
  return { key: row.incident_id, value: JSON.stringify(event), headers: { 'event-type': row.type } };
}
