/**
 * The port between Sitrep and its event transport. Two adapters implement it: Kafka
 * (production) and an in-process transport backed by PostgreSQL (embedded mode).
 * Topic names here are logical (`alerts`, `incident-events`); adapters add the prefix.
 */
export interface OutgoingMessage {
  /** Partitioning key: messages with one key are consumed in order. */
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export interface ConsumerOptions {
  /** Consumer group; each group sees every message once (per group), offsets committed by the transport. */
  groupId: string;
  topic: string;
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  /**
   * Handles one batch: the messages of one or more partitions, each partition's in order
   * (Kafka gathers the partitions of one fetch, up to `partitionsConcurrently`). Offsets are
   * committed only after it resolves; if it throws, the batch is delivered again (so handlers
   * must be idempotent).
   */
  handleBatch(messages: IncomingMessage[]): Promise<void>;
  /** Longest wait of an empty fetch; small on latency-sensitive consumers. */
  maxWaitMs?: number;
  /**
   * Pause after a handled batch before the next fetch (default 0). An idle consumer still gets
   * its first message at once; under load the next batch gathers what arrived meanwhile, so a
   * handler pays its transaction once per window instead of once per few messages. For work
   * off the live path (paging, chat, notifications), which then leaves the CPU to it.
   */
  batchWindowMs?: number;
  /**
   * Partitions handled in one batch by one member (Kafka; default 16). Each partition stays in
   * order, but the order between partitions is not kept, so a handler must not depend on it
   * (keys partition the work, e.g. an alert group or an incident).
   */
  partitionsConcurrently?: number;
}

export interface ConsumerHandle {
  /**
   * Resolves once the consumer is positioned: messages published after it resolves are seen
   * (Kafka: group joined, partitions assigned and a first fetch made; in-process: start offset
   * fixed). Optional; rejects if the consumer is stopped first. Mostly for tests and health.
   */
  readonly ready?: Promise<void>;
  /** Stops this consumer, letting an in-flight batch finish. Idempotent. */
  stop(): Promise<void>;
}

export interface MessageTransport {
  readonly kind: 'kafka' | 'in-process';
  /** Connects the producer. Must not wait for consumer groups. */
  start(): Promise<void>;
  /** Resolves only once every message is durably accepted (Kafka acks=all, or PostgreSQL commit). */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Starts a consumer in the background; returns without waiting for the group to join. */
  consume(options: ConsumerOptions): Promise<ConsumerHandle>;
  /** True when the transport can currently accept messages. */
  isHealthy(): Promise<boolean>;
  /** Stops consumers (finishing in-flight batches), flushes and disconnects the producer. */
  stop(): Promise<void>;
}

export const MESSAGE_TRANSPORT = Symbol('MESSAGE_TRANSPORT');

export const TOPICS = {
  alerts: 'alerts',
  incidentEvents: 'incident-events',
} as const;
