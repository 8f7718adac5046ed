/**
 * The one timer mechanism: time-driven work that must survive a restart is a row, never a
 * `setTimeout`. Usage, from any module (`Timers` is global, from PlatformModule):
 *
 *   constructor(private readonly timers: Timers) {
 *     timers.register<{ incidentId: string }>('paging.step', { fire: (timer, tx) => this.step(timer.payload, tx) });
 *   }
 *   // in the transaction that decides it (so the timer exists iff that decision committed):
 *   await this.timers.schedule({ kind: 'paging.step', key: `${pageId}:2`, dueAt, payload: { pageId } }, tx);
 *
 * - `schedule` is idempotent on (kind, key): an existing row, pending or fired, is left alone.
 *   Pick the key so that "once per shift / per lapse / per step" follows from it.
 * - `reschedule` moves a timer (creating it, or re-arming a fired one): cadences that restart.
 * - `cancel` deletes a pending timer; a fired one is kept (its key stays used).
 * - A handler runs in the transaction that marks the timer fired: write through `tx` only, so
 *   its effects and the mark commit together (fired at most once, never lost). Sends are jobs
 *   (`NotificationJobs.enqueue(tx, …)`), incident changes go through `IncidentCommands.act(…, { tx })`.
 *   A throw rolls it all back; the timer is retried with backoff and the error logged.
 * - Every instance polls (TIMER_POLL_MS) and claims due rows with FOR UPDATE SKIP LOCKED; a
 *   kind no handler here knows is left for an instance that knows it (and reported if overdue).
 * - Register handlers in a constructor or `onModuleInit`: firing starts at application bootstrap.
 */
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { Signal } from '../messaging/signal';
import type { AppLogger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { AfterCommit } from '../database/after-commit';
import { DEFAULT_TIMER_SETTINGS, retryDelayMs, Timer, TimerHandler, TimerSettings, TimerSpec } from './timer';
import { TimerMetrics } from './timer-metrics';
import { FireFailed, TimerStore } from './timer-store';

const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;
const OVERDUE_GRACE_MS = 30_000;
const UNCLAIMED_CHECK_MS = 60_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const SLOW_HANDLER_MS = 30_000;

export class Timers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly store: TimerStore;
  private readonly settings: TimerSettings;
  private readonly handlers = new Map<string, TimerHandler<any>>();
  private readonly signal = new Signal();
  private readonly afterCommit: AfterCommit;
  private readonly metrics: TimerMetrics;
  private loop?: Promise<void>;
  private stopped = false;
  /** When the loop will look again on its own (epoch ms; infinite while busy): a timer due sooner wakes it. */
  private nextLookAt = Number.POSITIVE_INFINITY;
  private nextUnclaimedCheck = 0;
  private nextPrune = 0;

  constructor(
    db: DataSource,
    private readonly logger: AppLogger,
    metrics: Metrics,
    settings: Partial<TimerSettings> = {},
  ) {
    this.store = new TimerStore(db);
    this.settings = { ...DEFAULT_TIMER_SETTINGS, ...settings };
    this.afterCommit = new AfterCommit(db);
    this.metrics = new TimerMetrics(metrics, () => this.store.overdue(OVERDUE_GRACE_MS));
  }

  /** The handler of a kind; one per kind per instance. */
  register<P = unknown>(kind: string, handler: TimerHandler<P>): void {
    if (!KIND.test(kind)) throw new Error(`timer kind "${kind}" must match ${KIND}`);
    if (this.handlers.has(kind)) throw new Error(`timer kind "${kind}" already has a handler`);
    this.handlers.set(kind, handler);
    this.signal.notify();
  }

  /** Creates the timer unless (kind, key) exists, pending or fired. True when it was created. */
  async schedule<P>(spec: TimerSpec<P>, tx?: EntityManager): Promise<boolean> {
    check(spec);
    const created = await this.store.schedule(spec, tx);
    if (created) this.wakeFor(spec.dueAt, tx);
    return created;
  }

  /** Creates the timer or moves it to `dueAt`, re-arming it if it had fired. */
  async reschedule<P>(spec: TimerSpec<P>, tx?: EntityManager): Promise<void> {
    check(spec);
    await this.store.reschedule(spec, tx);
    this.wakeFor(spec.dueAt, tx);
  }

  /** `schedule` for many timers in one statement (a consumer's batch); how many it created. */
  async scheduleAll<P>(specs: Array<TimerSpec<P>>, tx?: EntityManager): Promise<number> {
    specs.forEach(check);
    const created = await this.store.scheduleAll(specs, tx);
    if (created.length > 0) this.wakeFor(earliest(created), tx);
    return created.length;
  }

  /** `reschedule` for many timers, each (kind, key) once and with its payload, in one statement. */
  async rescheduleAll<P>(specs: Array<TimerSpec<P>>, tx?: EntityManager): Promise<void> {
    specs.forEach(check);
    const missing = specs.find((s) => s.payload === undefined);
    if (missing) throw new Error(`rescheduleAll: timer ${missing.kind}/${missing.key} has no payload`);
    const keys = new Set(specs.map((s) => `${s.kind}\u0000${s.key}`));
    if (keys.size !== specs.length) throw new Error('rescheduleAll: a (kind, key) given twice');
    await this.store.rescheduleAll(specs, tx);
    if (specs.length > 0) this.wakeFor(earliest(specs.map((s) => s.dueAt)), tx);
  }

  /** Deletes the pending timers of one kind among `keys`; how many were pending. */
  cancelAll(kind: string, keys: string[], tx?: EntityManager): Promise<number> {
    return this.store.cancelAll(kind, keys, tx);
  }

  /** Deletes a pending timer. True when one was pending. */
  cancel(kind: string, key: string, tx?: EntityManager): Promise<boolean> {
    return this.store.cancel(kind, key, tx);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Stops looking for timers and waits for the fire in flight (its transaction) to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal.notify();
    await this.loop;
    this.afterCommit.detach();
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  private wakeFor(dueAt: Date, tx: EntityManager | undefined): void {
    // The loop looks at least every pollMs, also while it is busy looking (nextLookAt is then
    // infinite): only a timer due before then needs a wake-up. Under a storm every incident
    // schedules some, and waking for each kept the loop polling back to back.
    if (dueAt.getTime() >= Math.min(this.nextLookAt, Date.now() + this.settings.pollMs)) return;
    this.afterCommit.run(tx, () => this.signal.notify());
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let waitMs = this.settings.pollMs;
      try {
        const kinds = [...this.handlers.keys()];
        this.metrics.looks.inc();
        const idleAt = kinds.length ? await this.fireDue(kinds) : undefined;
        if (idleAt && !this.stopped) {
          const next = await this.store.nextDueInMs(kinds, idleAt);
          if (next !== undefined) waitMs = Math.min(waitMs, next);
        } else if (kinds.length) waitMs = 0; // a full batch: more may be due
        await this.housekeeping(kinds);
        failures = 0;
      } catch (error) {
        failures++;
        waitMs = Math.min(500 * 2 ** failures, 10_000);
        if (!this.stopped)
          this.logger.error({ err: error, failures, retryInMs: waitMs }, 'Timers cannot reach PostgreSQL; retrying');
      }
      if (this.stopped) break;
      this.nextLookAt = Date.now() + waitMs;
      if (waitMs > 0) await this.signal.wait(waitMs);
      this.nextLookAt = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * Fires due timers one transaction each, up to a batch. Returns the time of the claim that
   * found none due, or undefined when the batch ended first (or the loop is stopping).
   */
  private async fireDue(kinds: string[]): Promise<Date | undefined> {
    let handled = 0;
    while (handled < this.settings.batch && !this.stopped) {
      let timer: Timer | { idleAt: Date };
      try {
        timer = await this.store.fireNext(kinds, (t, tx) =>
          this.watched(t, () => this.handlers.get(t.kind)!.fire(t, tx)),
        );
      } catch (error) {
        if (!(error instanceof FireFailed)) throw error;
        await this.failed(error);
        handled++;
        continue;
      }
      if ('idleAt' in timer) return timer.idleAt;
      handled++;
      this.metrics.fired.inc({ kind: timer.kind });
      this.metrics.lag.observe({ kind: timer.kind }, Math.max(0, Date.now() - timer.dueAt.getTime()) / 1000);
      this.logger.debug({ kind: timer.kind, key: timer.key }, 'Timer fired');
    }
    return undefined;
  }

  /** A handler that hangs holds its row and this instance's loop: say so while it lasts. */
  private async watched(timer: Timer, fire: () => Promise<void>): Promise<void> {
    const started = Date.now();
    const watchdog = setInterval(() => {
      this.logger.warn(
        { kind: timer.kind, key: timer.key, runningMs: Date.now() - started },
        `Timer ${timer.kind} handler is still running`,
      );
    }, SLOW_HANDLER_MS);
    watchdog.unref();
    try {
      await fire();
    } finally {
      clearInterval(watchdog);
    }
  }

  private async failed({ timer, error }: FireFailed): Promise<void> {
    const attempts = timer.attempts + 1;
    const delayMs = retryDelayMs(attempts, this.settings);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.metrics.failed.inc({ kind: timer.kind });
    this.logger.error(
      { err: error, kind: timer.kind, key: timer.key, attempts, retryInMs: delayMs },
      `Timer ${timer.kind} handler failed (attempt ${attempts}); rolled back, retrying in ${delayMs} ms`,
    );
    await this.store.recordFailure(timer, message, delayMs);
  }

  private async housekeeping(kinds: string[]): Promise<void> {
    const now = Date.now();
    if (now >= this.nextUnclaimedCheck) {
      this.nextUnclaimedCheck = now + UNCLAIMED_CHECK_MS;
      for (const { kind, count, oldest } of await this.store.unclaimedKinds(kinds, OVERDUE_GRACE_MS)) {
        this.logger.warn(
          { kind, count, oldestDueAt: oldest },
          `Overdue timers of kind ${kind} have no handler on this instance`,
        );
      }
    }
    if (now >= this.nextPrune) {
      this.nextPrune = now + PRUNE_EVERY_MS;
      const pruned = await this.store.prune(this.settings.retainFiredMs);
      if (pruned) this.logger.debug({ pruned }, 'Pruned old fired timers');
    }
  }
}

function earliest(dates: Date[]): Date {
  return dates.reduce((a, b) => (b.getTime() < a.getTime() ? b : a));
}

function check(spec: TimerSpec<unknown>): void {
  if (!KIND.test(spec.kind)) throw new Error(`timer kind "${spec.kind}" must match ${KIND}`);
  if (!spec.key || spec.key.length > 500) throw new Error(`timer ${spec.kind}: the key must be 1 to 500 characters`);
  if (!(spec.dueAt instanceof Date) || Number.isNaN(spec.dueAt.getTime()))
    throw new Error(`timer ${spec.kind}/${spec.key}: dueAt is not a date`);
}
