/**
 * The retry budget of a notification: at most `maxAttempts` sends that fail transiently, and
 * nothing after `budgetMs` from the job's creation, whichever comes first. Rate limits (429)
 * and deferrals are not attempts, but the time budget bounds them too.
 */
export interface RetryPolicy {
  maxAttempts: number;
  budgetMs: number;
  /** First backoff; doubles per failed attempt up to capMs, with jitter (between half and all of it). */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  budgetMs: 60 * 60 * 1000,
  baseMs: 5000,
  capMs: 10 * 60 * 1000,
};

/** The pause after the `attempt`-th failed attempt (1-based): "equal jitter" exponential backoff. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * After a transient failure: retry after a backoff, or give up when the attempts are spent or
 * the retry would land past the job's deadline.
 */
export function afterTransientFailure(
  attempts: number,
  giveUpAt: Date,
  now: Date,
  policy: RetryPolicy,
  random?: () => number,
): RetryDecision {
  if (attempts >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempts} attempts` };
  const delayMs = backoffMs(attempts, policy, random);
  if (now.getTime() + delayMs > giveUpAt.getTime()) {
    return { retry: false, reason: `gave up after ${attempts} attempts (retry budget of ${Math.round(policy.budgetMs / 60000)} min spent)` };
  }
  return { retry: true, delayMs };
}
