import type { OutgoingMessage } from './message-transport';

/** The relay's own PostgreSQL session (a `pg` client): parameterised queries only. */
export interface OutboxSession {
  query<R extends object>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** One outbox row as the transport will carry it. */
export interface OutboxEntry {
  /** The row's place in the source's commit order (a bigint, as text). */
  position: string;
  /** Logical topic (the transport adds its prefix). */
  topic: string;
  /** Its key orders it: the source must give one key's rows in position order. */
  message: OutgoingMessage;
}

/**
 * A table of rows to publish that a feature module owns, written in the same transaction as
 * the state they describe (the transactional outbox). The relay reads, publishes and marks
 * them; it knows nothing of their table or shape.
 */
export interface OutboxSource {
  /** For logs. */
  readonly name: string;
  /**
   * The channel the writers `pg_notify` in the transaction that adds rows; the leading relay
   * LISTENs on it, so a commit on any instance wakes it.
   */
  readonly channel: string;
  /**
   * A session advisory lock key: across instances, only the relay holding it works this source.
   * Keep it stable across releases, or an old and a new instance lead at once during a deploy.
   */
  readonly lockKey: number;
  /**
   * Up to `limit` unpublished entries, oldest position first. Always from the oldest one: a row
   * with a smaller position may commit after a larger one was read, and must still come first.
   */
  unpublished(session: OutboxSession, limit: number): Promise<OutboxEntry[]>;
  /** Marks these positions published (the relay's session commits asynchronously). */
  markPublished(session: OutboxSession, positions: string[]): Promise<void>;
}
