import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AfterCommit } from '../platform/database/after-commit';
import type { OutboundMessage } from './channels/channel';
import { ChannelRegistry } from './channels/channel-registry';
import { NotificationDispatcher } from './notification.dispatcher';
import { NOTIFICATION_SETTINGS, NotificationSettings } from './notification-settings';
import { NotificationStore } from './persistence/notification.store';

/** "Send this to that address on that channel, once for this key." */
export interface MessageJob {
  /**
   * Idempotency key, unique across every message job: a second enqueue with it is a no-op.
   * Scope it by feature and occurrence, e.g. `oncall.shift-start:<shiftId>:<handle>`.
   */
  key: string;
  /** A registered channel: 'email', 'slack', later 'sms' and 'voice'. */
  channel: string;
  /** Email: an address. Slack: a user id (U…: a DM) or a channel id or name. SMS/voice: E.164. */
  to: string;
  message: OutboundMessage;
  /** The incident this is about: its timeline records notification.sent / notification.failed. */
  incidentId?: string;
  /** With incidentId: false keeps the outcome off the timeline (default true). */
  recordOutcome?: boolean;
  /** What the timeline shows as the recipient (a responder handle) instead of the address. */
  recipientLabel?: string;
  /** Not sent before this time (default: now). */
  notBefore?: Date;
}

/** Thrown for a job that cannot be sent as given (a programming error of the caller). */
export class InvalidMessageJob extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`message job: ${field} ${problem}`);
    this.name = 'InvalidMessageJob';
  }
}

const MAX_KEY = 500;
const MAX_TEXT = 100_000;

/**
 * The port through which any module sends to people and channels as durable jobs: the row is
 * written in the caller's transaction (a timer's, a command's), then sent by the dispatcher
 * with the notification guarantees — retries with backoff, 429 gates, at most once where the
 * provider lets us check (Slack metadata, Message-ID), never silently dropped.
 */
@Injectable()
export class NotificationJobs {
  private readonly afterCommit: AfterCommit;

  constructor(
    private readonly db: DataSource,
    private readonly channels: ChannelRegistry,
    private readonly store: NotificationStore,
    private readonly dispatcher: NotificationDispatcher,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {
    this.afterCommit = new AfterCommit(db);
  }

  /** Whether a channel exists here and is configured (callers may pick another one). */
  canSend(channel: string): boolean {
    return this.channels.get(channel)?.enabled === true;
  }

  /** Writes the job (in `tx` when given); false when a job with its key exists already. */
  async enqueue(tx: EntityManager | undefined, job: MessageJob): Promise<boolean> {
    const channel = this.channels.get(job.channel);
    if (!channel) throw new InvalidMessageJob('channel', `"${job.channel}" is not one of ${this.channels.names().join(', ')}`);
    if (typeof job.key !== 'string' || job.key.length === 0 || job.key.length > MAX_KEY) {
      throw new InvalidMessageJob('key', `must be 1 to ${MAX_KEY} characters`);
    }
    const problem = channel.checkAddress(job.to);
    if (problem) throw new InvalidMessageJob('to', `${problem}, got "${String(job.to).slice(0, 100)}"`);
    if (typeof job.message?.subject !== 'string' || typeof job.message.text !== 'string') {
      throw new InvalidMessageJob('message', 'needs a subject and a text');
    }
    const inserted = await this.store.insertMessage(tx ?? this.db.manager, {
      key: storable(job.key),
      channel: job.channel,
      to: job.to,
      gate: channel.gate(job.to),
      message: storableMessage(job.message),
      incidentId: job.incidentId,
      recordOutcome: job.recordOutcome ?? true,
      recipientLabel: job.recipientLabel === undefined ? undefined : storable(job.recipientLabel),
      notBefore: job.notBefore,
      budgetMs: this.settings.retry.budgetMs,
    });
    if (inserted) this.afterCommit.run(tx, () => this.dispatcher.wake());
    return inserted;
  }
}

// NUL and unpaired UTF-16 surrogates: valid in JS strings, not storable by PostgreSQL.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Unstorable text becomes U+FFFD rather than failing the caller's transaction. */
function storable(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

function storableMessage(message: OutboundMessage): OutboundMessage {
  const out: OutboundMessage = { subject: storable(message.subject), text: storable(message.text).slice(0, MAX_TEXT) };
  if (message.html !== undefined) out.html = storable(message.html).slice(0, MAX_TEXT);
  if (message.blocks !== undefined) out.blocks = storableDeep(message.blocks) as OutboundMessage['blocks'];
  return out;
}

function storableDeep(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableDeep(v)]));
  return value;
}
