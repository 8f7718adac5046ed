/**
 * How a Slack call failed, which decides what a chat job does next:
 * - `rate_limited`: wait `retryAfterMs` (Slack's 429 Retry-After); not an attempt;
 * - `transient`: retry with backoff (5xx, network, timeout, internal_error);
 * - `permanent`: give up (`ok:false` errors such as channel_not_found, restricted_action).
 * `code` is Slack's error string when there was one (`name_taken`, `already_in_channel`…).
 * `mayHaveActed`: Slack may have done it although we saw no answer (timeout, 5xx).
 */
export type SlackCallErrorKind = 'rate_limited' | 'transient' | 'permanent';

export class SlackCallError extends Error {
  constructor(
    readonly kind: SlackCallErrorKind,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
    readonly mayHaveActed = false,
  ) {
    super(message);
    this.name = 'SlackCallError';
  }
}
