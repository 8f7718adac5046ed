import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { decodeIncidentEvent, GetIncidents, type IncidentView, toTimelineEntry } from '../incidents';
import type { TimelineEntry } from '../incidents';
import {
  ConsumerHandle,
  IncomingMessage,
  MESSAGE_TRANSPORT,
  MessageTransport,
  OutgoingMessage,
  TOPICS,
} from '../platform/messaging/message-transport';
import { OUTBOX_RELAY, type OutboxRelay } from '../platform/messaging/outbox-relay';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { IncidentSubscription, SubscriptionLimits, TimelineSource } from './incident-subscription';
import { TimelineClient } from './timeline-client';
import type { TimelineNamespace } from './timeline.events';
import { TimelineMetrics } from './timeline.metrics';
import { TimelineReader } from './timeline.reader';

export const SUBSCRIPTION_LIMITS: SubscriptionLimits = { pageSize: 100, maxQueued: 10_000 };

/**
 * Log reads (replays, gap fills) running at once on this instance: a reconnect storm of
 * clients resuming with `after` queues here and leaves the connection pool to the API.
 */
const CONCURRENT_LOG_READS = 5;

/**
 * The most incidents one `incident` snapshot read takes. One reader reads at a time, every
 * incident owed so far in one query: a storm declares incidents faster than a read per
 * incident could keep up with, and those reads would take the pool from the alert consumer's
 * transactions, which are what the storm is waiting for.
 */
const SNAPSHOTS_PER_READ = 500;
const SNAPSHOT_RETRY_MS = 1000;

/** Incidents whose last seq and snapshot version this instance remembers (for `*` dedupe). */
const REMEMBERED_INCIDENTS = 10_000;

interface Recent {
  seq: number;
  version: number;
}

/**
 * Every instance tails the incident-events topic in a consumer group of its own (so each one
 * sees every event) and hands each entry to the local subscriptions. Subscribers of one
 * incident that are caught up share one broadcast; the others merge it in their own chain.
 * `*` subscribers get each entry once (the transport delivers at least once) and, after each
 * batch, one `incident` snapshot per incident that changed in it.
 */
@Injectable()
export class TimelineFanout implements OnApplicationBootstrap, OnModuleDestroy {
  readonly groupId = `sitrep-timeline-${randomUUID()}`;
  private namespace?: TimelineNamespace;
  private consumer?: ConsumerHandle;
  private readonly byIncident = new Map<string, Map<TimelineClient, IncidentSubscription>>();
  private readonly everything = new Set<TimelineClient>();
  private readonly recent = new Map<string, Recent>();
  /** Incidents whose snapshot `*` subscribers are owed, and whether a reader is at it. */
  private readonly snapshotsWanted = new Set<string>();
  private readingSnapshots = false;
  private stopping = false;
  private readonly log: TimelineSource;
  /** Whether the tail is positioned: every entry published from then on reaches dispatch(). */
  private live = false;
  private readonly liveWaiters = new Set<() => void>();

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly reader: TimelineReader,
    private readonly queries: QueryBus,
    private readonly metrics: TimelineMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    const limit = limiter(CONCURRENT_LOG_READS);
    this.log = { read: (...args) => limit(() => this.reader.read(...args)) };
  }

  /**
   * Starts tailing the topic; consume() returns without waiting for the group to join, and
   * the instance serves clients meanwhile (property 6). A new group starts at the topic's end,
   * so what is published before it is positioned never arrives live: see goLive().
   */
  async onApplicationBootstrap(): Promise<void> {
    this.relay.onPublished((topic, messages) => {
      if (topic === TOPICS.incidentEvents) this.dispatchPublishedHere(messages);
    });
    this.consumer = await this.transport.consume({
      groupId: this.groupId,
      topic: TOPICS.incidentEvents,
      fromBeginning: false,
      maxWaitMs: 10,
      handleBatch: async (messages) => this.dispatch(messages),
    });
    if (this.consumer.ready)
      this.consumer.ready.then(
        () => this.goLive(),
        () => undefined,
      );
    else this.goLive();
  }

  /**
   * The tail is positioned. Every subscription registered before now reads the log after its
   * cursor once more: an entry published in the window was committed before it was published,
   * so this read sees it, and anything published later arrives live. The cursor drops what
   * both paths bring.
   */
  private goLive(): void {
    if (this.live || this.stopping) return;
    this.live = true;
    let reread = 0;
    for (const subscribers of this.byIncident.values()) {
      for (const subscription of subscribers.values()) {
        subscription.reread();
        reread++;
      }
    }
    for (const wake of this.liveWaiters) wake();
    this.liveWaiters.clear();
    this.logger.info({ groupId: this.groupId, reread }, 'Timeline tail is live');
  }

  /** Resolves true once the tail is live, false after `timeoutMs` (or on shutdown) if it is not. */
  whenLive(timeoutMs: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    if (this.stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.liveWaiters.delete(wake);
        resolve(this.live);
      };
      const timer = setTimeout(wake, timeoutMs);
      this.liveWaiters.add(wake);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.liveWaiters]) wake();
    for (const subscribers of this.byIncident.values()) for (const s of subscribers.values()) s.cancel();
    await this.consumer?.stop();
  }

  /** Resolves once the tail is positioned (Kafka: group joined). For tests and health. */
  get ready(): Promise<void> {
    return this.consumer?.ready ?? Promise.resolve();
  }

  /** The namespace broadcasts go to; set by the gateway once the server exists. */
  attach(namespace: TimelineNamespace): void {
    this.namespace = namespace;
  }

  /**
   * Registers (or replaces) the client's subscription to one incident. The caller acknowledges
   * the request and then calls start(), in the same turn, so entries never precede the ack.
   */
  subscribe(client: TimelineClient, incidentId: string, after: number): IncidentSubscription {
    this.unsubscribe(client, incidentId);
    const subscription = new IncidentSubscription(incidentId, after, this.log, client, SUBSCRIPTION_LIMITS);
    client.subscriptions.set(incidentId, subscription);
    let subscribers = this.byIncident.get(incidentId);
    if (!subscribers) this.byIncident.set(incidentId, (subscribers = new Map()));
    subscribers.set(client, subscription);
    return subscription;
  }

  unsubscribe(client: TimelineClient, incidentId: string): void {
    const subscription = client.subscriptions.get(incidentId);
    if (!subscription) return;
    subscription.cancel();
    client.subscriptions.delete(incidentId);
    const subscribers = this.byIncident.get(incidentId);
    if (!subscribers) return;
    subscribers.delete(client);
    if (subscribers.size === 0) this.byIncident.delete(incidentId);
  }

  subscribeEverything(client: TimelineClient): void {
    client.everything = true;
    this.everything.add(client);
  }

  unsubscribeEverything(client: TimelineClient): void {
    client.everything = false;
    this.everything.delete(client);
  }

  /** Forgets a client that disconnected or was cut. Idempotent. */
  detach(client: TimelineClient): void {
    for (const incidentId of [...client.subscriptions.keys()]) this.unsubscribe(client, incidentId);
    this.unsubscribeEverything(client);
  }

  /** Handles one consumed batch. Never waits on a client or the database: the tail keeps moving. */
  dispatch(messages: IncomingMessage[]): void {
    const entries: TimelineEntry[] = [];
    for (const message of messages) {
      const entry = this.parse(message);
      if (entry) entries.push(entry);
    }
    this.deliver(entries);
  }

  /**
   * Entries this instance's relay has just published (durable on the topic): delivered now,
   * one broker round trip before the tail brings them, which then drops them as seen. Only an
   * entry that directly follows the last one seen of its incident (or a new incident's first)
   * goes early; any other waits for the tail, so an incident's entries never overtake each other.
   */
  private dispatchPublishedHere(messages: OutgoingMessage[]): void {
    if (!this.live || this.stopping) return;
    const entries: TimelineEntry[] = [];
    const last = new Map<string, number>();
    for (const message of messages) {
      // One it cannot read is logged by the tail when that brings it back.
      const decoded = decodeIncidentEvent(message.value);
      if (!decoded.ok) continue;
      const entry = toTimelineEntry(decoded.message);
      const seen = last.get(entry.incidentId) ?? this.recent.get(entry.incidentId)?.seq ?? 0;
      if (entry.seq !== seen + 1) continue;
      entries.push(entry);
      last.set(entry.incidentId, entry.seq);
    }
    if (entries.length === 0) return;
    this.metrics.entriesEarly.inc(entries.length);
    this.deliver(entries);
  }

  private deliver(entries: TimelineEntry[]): void {
    const namespace = this.namespace;
    const admitted = new Map<TimelineClient, boolean>();
    const admit = (client: TimelineClient) => {
      let ok = admitted.get(client);
      if (ok === undefined) admitted.set(client, (ok = client.admit()));
      return ok;
    };
    const changed = new Set<string>();
    for (const entry of entries) {
      if (!namespace) continue;
      const recipients: string[] = [];
      for (const [client, subscription] of this.byIncident.get(entry.incidentId) ?? []) {
        if (admit(client) && subscription.offer(entry)) recipients.push(client.id);
      }
      if (this.isNew(entry)) {
        for (const client of this.everything) {
          // A client subscribed to this incident as well has it from that subscription, in order.
          if (!client.subscriptions.has(entry.incidentId) && admit(client)) recipients.push(client.id);
        }
        changed.add(entry.incidentId);
      }
      if (recipients.length > 0) {
        namespace.to(recipients).emit('timeline', entry);
        this.metrics.entriesEmitted.inc(recipients.length);
      }
    }
    if (this.everything.size > 0) for (const incidentId of changed) this.requestSnapshot(incidentId);
  }

  /** True the first time this instance sees the entry (the transport may deliver it again). */
  private isNew(entry: TimelineEntry): boolean {
    const recent = this.recent.get(entry.incidentId);
    if (recent && entry.seq <= recent.seq) return false;
    this.remember(entry.incidentId, { seq: entry.seq, version: recent?.version ?? 0 });
    return true;
  }

  private remember(incidentId: string, value: Recent): void {
    this.recent.delete(incidentId); // re-inserted last: the map's order is least recently changed first
    this.recent.set(incidentId, value);
    if (this.recent.size > REMEMBERED_INCIDENTS) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  /**
   * Asks for the incident's snapshot. One reader at a time takes every incident asked for so
   * far in one query; what changes meanwhile is read in its next round. A storm's board then
   * costs a read per round, not one per incident.
   */
  private requestSnapshot(incidentId: string): void {
    this.snapshotsWanted.add(incidentId);
    if (this.readingSnapshots) return;
    this.readingSnapshots = true;
    void this.readSnapshots();
  }

  private async readSnapshots(): Promise<void> {
    try {
      while (this.snapshotsWanted.size > 0 && !this.stopping) {
        const ids = [...this.snapshotsWanted].slice(0, SNAPSHOTS_PER_READ);
        for (const id of ids) this.snapshotsWanted.delete(id);
        let incidents: IncidentView[];
        try {
          incidents = await this.queries.execute(new GetIncidents(ids));
        } catch (error) {
          if (this.stopping) return;
          this.logger.error(
            { err: error, incidents: ids.length },
            'Timeline could not read incident snapshots; retrying',
          );
          for (const id of ids) this.snapshotsWanted.add(id); // owed still: try again shortly
          await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_RETRY_MS).unref());
          continue;
        }
        const recipients = [...this.everything].filter((c) => !c.closed).map((c) => c.id);
        for (const incident of incidents) {
          const recent = this.recent.get(incident.id);
          if (recent && incident.version <= recent.version) continue;
          this.remember(incident.id, { seq: recent?.seq ?? 0, version: incident.version });
          if (recipients.length > 0 && this.namespace) {
            this.namespace.to(recipients).emit('incident', incident);
            this.metrics.snapshotsEmitted.inc(recipients.length);
          }
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Timeline snapshot reader failed; snapshots resume with the next change');
      this.snapshotsWanted.clear();
    } finally {
      this.readingSnapshots = false;
    }
  }

  /** The published contract, decoded once; a message this version cannot read is skipped and logged. */
  private parse(message: IncomingMessage): TimelineEntry | undefined {
    const decoded = decodeIncidentEvent(message.value);
    if (decoded.ok) return toTimelineEntry(decoded.message);
    this.logger.warn(
      { topic: message.topic, partition: message.partition, offset: message.offset, reason: decoded.reason },
      'Timeline skipped an incident event it cannot read',
    );
    return undefined;
  }
}

/** Runs at most `max` of the given tasks at once, the others in arrival order. */
function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
