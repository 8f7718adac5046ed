/** The longest pause before a failed batch is delivered again. */
export const MAX_RETRY_DELAY_MS = 5000;

/** Exponential backoff: `firstMs` before the first retry, doubling per attempt, at most `maxMs`. */
export function backoff(firstMs: number, attempt: number, maxMs = MAX_RETRY_DELAY_MS): number {
  return Math.min(firstMs * 2 ** Math.max(attempt - 1, 0), maxMs);
}
