import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';

/** Longest a shutdown waits for work that continues after Slack got its answer. */
const DRAIN_MS = 10_000;

/**
 * Work that goes on after Slack has its 3-second answer (a slow command, a button click).
 * Shutdown waits for it a little, so a deploy does not cut a click in half.
 */
@Injectable()
export class AfterAnswer implements OnModuleDestroy {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(@Inject(APP_LOGGER) private readonly logger: AppLogger) {}

  run(what: string, work: () => Promise<unknown>): void {
    const promise = work()
      .catch((error) => this.logger.error({ err: error, what }, 'Slack work after the answer failed'))
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pending.size === 0) return;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  }
}
