import type { DeliveryErrorKind } from './channels/delivery-error';
import { afterTransientFailure, RetryPolicy } from './retry-policy';

/** A failed send, as the channel classified it (a DeliveryError's facts). */
export interface SendFailure {
  kind: DeliveryErrorKind;
  reason: string;
  retryAfterMs?: number;
  /** The provider may have acted on the request (timeout, 5xx). */
  mayHaveSent: boolean;
}

/** Where the job stands: failed attempts so far (this one included) and its deadline. */
export interface JobStanding {
  attempts: number;
  giveUpAt: Date;
}

export interface FailureSettings {
  retry: RetryPolicy;
  /** After a 429 the gate is paced (one send per pace interval) for this long. */
  paceWindowMs: number;
  /** Wait when a rate limit or deferral names no time. */
  defaultWaitMs: number;
}

export type FailureDecision =
  | { action: 'give_up'; reason: string }
  | {
      action: 'retry';
      delayMs: number;
      /** Transient failures spend an attempt; rate limits and deferrals do not. */
      countAttempt: boolean;
      why: 'transient' | 'rate_limited' | 'deferred';
      /** A 429: hold every job of the gate for closeMs, then pace it for paceForMs. */
      gate?: { closeMs: number; paceForMs: number };
      /** An earlier try may have delivered: the next one looks before it sends. */
      uncertain: boolean;
    };

/**
 * What happens to a job after a failed send: give up now (permanent), wait out a rate limit
 * on its gate or a deferral (not an attempt), or back off and retry (an attempt) — each bounded
 * by the job's retry budget. Pure: the dispatcher carries the decision out.
 */
export function decideAfterFailure(
  failure: SendFailure,
  job: JobStanding,
  now: Date,
  settings: FailureSettings,
  random?: () => number,
): FailureDecision {
  const uncertain = failure.mayHaveSent;
  if (failure.kind === 'permanent') return { action: 'give_up', reason: failure.reason };
  if (failure.kind === 'rate_limited' || failure.kind === 'deferred') {
    const delayMs = Math.max(0, failure.retryAfterMs ?? settings.defaultWaitMs);
    if (now.getTime() + delayMs > job.giveUpAt.getTime()) {
      return { action: 'give_up', reason: `gave up: ${failure.reason} past the retry budget` };
    }
    const gate = failure.kind === 'rate_limited' ? { closeMs: delayMs, paceForMs: settings.paceWindowMs } : undefined;
    return { action: 'retry', delayMs, countAttempt: false, why: failure.kind, gate, uncertain };
  }
  const next = afterTransientFailure(job.attempts, job.giveUpAt, now, settings.retry, random);
  if (!next.retry) return { action: 'give_up', reason: `${next.reason}; last error: ${failure.reason}` };
  return { action: 'retry', delayMs: next.delayMs, countAttempt: true, why: 'transient', uncertain };
}
