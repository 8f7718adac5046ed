/**
 * How a send failed, which decides what the dispatcher does next:
 * - `rate_limited`: wait `retryAfterMs` on this gate (Slack 429 Retry-After); not an attempt.
 * - `transient`: retry with backoff within the budget (Slack 5xx / network / timeout, SMTP 4xx).
 * - `permanent`: give up now (Slack `ok:false` errors such as channel_not_found, SMTP 5xx).
 * - `deferred`: not sent, not failed: try again in `retryAfterMs` (e.g. the thread's root
 *   message is not posted yet); not an attempt.
 * `mayHaveSent` marks failures after which the provider may still have acted on the request
 * (a timeout, a 5xx): a Slack retry then first looks for the message it may have posted.
 */
export type DeliveryErrorKind = 'rate_limited' | 'transient' | 'permanent' | 'deferred';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorKind,
    readonly reason: string,
    readonly options: { retryAfterMs?: number; mayHaveSent?: boolean; cause?: unknown } = {},
  ) {
    super(reason, { cause: options.cause });
    this.name = 'DeliveryError';
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }

  get mayHaveSent(): boolean {
    return this.options.mayHaveSent === true;
  }
}

/** Thrown when shutdown aborted a send: its outcome is unknown, the job's lease decides. */
export class SendAbandoned extends Error {
  constructor() {
    super('send abandoned at shutdown');
    this.name = 'SendAbandoned';
  }
}
