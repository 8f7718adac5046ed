import type { EntityManager } from 'typeorm';

/** A due row as its handler sees it. */
export interface Timer<P = unknown> {
  id: string;
  kind: string;
  key: string;
  dueAt: Date;
  payload: P;
  /** Failed fires before this one (0 on the first). */
  attempts: number;
  createdAt: Date;
}

/**
 * Fires timers of one kind. `fire` runs inside the transaction that marks the timer fired:
 * write through `tx` only (enqueue notification jobs, `IncidentCommands.act(…, { tx })`), so
 * its effects and the mark commit together. No network calls here: a send is a job. A throw
 * rolls everything back and the timer is retried with backoff.
 */
export interface TimerHandler<P = unknown> {
  fire(timer: Timer<P>, tx: EntityManager): Promise<void>;
}

export interface TimerSpec<P = unknown> {
  kind: string;
  /** Unique within the kind: the idempotency key ("once per shift / per lapse / per step"). */
  key: string;
  dueAt: Date;
  payload?: P;
}

export interface TimerSettings {
  /** Longest wait between looks for due rows (TIMER_POLL_MS). */
  pollMs: number;
  /** Backoff after a failed fire: retryBaseMs × 2^(attempts-1), capped at retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Fired rows older than this are deleted (scheduling their key again then fires again). */
  retainFiredMs: number;
  /** Timers fired per round before the loop looks at stop requests and re-reads its kinds. */
  batch: number;
}

export const DEFAULT_TIMER_SETTINGS: TimerSettings = {
  pollMs: 1000,
  retryBaseMs: 1000,
  retryMaxMs: 5 * 60 * 1000,
  retainFiredMs: 30 * 24 * 60 * 60 * 1000,
  batch: 100,
};

/** The pause before the next try after `attempts` failed fires (1-based). */
export function retryDelayMs(attempts: number, settings: Pick<TimerSettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  const exponent = Math.min(Math.max(0, attempts - 1), 30);
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** exponent);
}
