/**
 * A way of reaching a person or a room: email, Slack (DM or channel), later SMS and voice.
 * Channels are registered with the ChannelRegistry; a message job names its channel, and the
 * dispatcher hands each claimed job to that channel's `send`, with retries, backoff, 429
 * gates and the timeline outcome handled around it.
 */
export interface Channel {
  /** The job's `channel` value: 'email', 'slack', 'sms', 'voice', … */
  readonly name: string;
  /** False when not configured: its jobs fail at once with `disabledReason`. */
  readonly enabled: boolean;
  readonly disabledReason?: string;
  /** Why an address cannot be reached on this channel (checked at enqueue), or undefined. */
  checkAddress(to: string): string | undefined;
  /**
   * The rate-limit unit of an address: the dispatcher sends one job at a time per gate, and
   * a `rate_limited` failure holds that gate only. Share a gate with any other sender to the
   * same provider resource (the Slack channel, the phone number).
   */
  gate(to: string): string;
  /**
   * Sends once. Failures are DeliveryErrors (rate_limited with retryAfterMs, transient,
   * permanent, deferred; mayHaveSent when the provider may have acted). When
   * `delivery.uncertain`, an earlier try may have got through: look for it first where the
   * provider allows (Slack message metadata), or pass the provider an idempotency key
   * derived from `delivery.uid`.
   */
  send(delivery: Delivery): Promise<void>;
  /** Shutdown: calls in flight end in SendAbandoned. */
  abort(): void;
}

/** The message of a job; each channel renders it its own way. */
export interface OutboundMessage {
  /** Email subject; the bold first line on Slack; an SMS prefix. One line. */
  subject: string;
  /** Plain text (channels escape it): the body of an email, a Slack message, an SMS, a call. */
  text: string;
  /** Email only: an HTML part next to `text`. */
  html?: string;
  /** Slack only: Block Kit blocks used instead of the rendering of subject and text (which stays the fallback). */
  blocks?: Array<{ type: string; [key: string]: unknown }>;
}

export interface Delivery {
  /** Stable per job across tries: Message-ID, Slack metadata, provider idempotency keys. */
  uid: string;
  to: string;
  message: OutboundMessage;
  incidentId?: string;
  /** An earlier try may have delivered (crash under lease, timeout, 5xx). */
  uncertain: boolean;
  createdAt: Date;
}
