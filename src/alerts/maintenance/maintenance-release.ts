import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AfterCommit } from '../../platform/database/after-commit';
import { Timer, Timers } from '../../platform/timers';
import { AlertBatchProcessor } from '../consumer/alert-batch.processor';
import { MaintenanceMetrics } from './maintenance.metrics';
import { RELEASE_TIMER } from './maintenance-windows';

/**
 * Hands a window's held alerts back when it ends (its end, or DELETE moving the timer to now):
 * in the timer's transaction, through the same plan as the consumer. The window's
 * `released_at` makes a second firing (another instance, a restart) change nothing.
 */
@Injectable()
export class MaintenanceRelease {
  private readonly afterCommit: AfterCommit;

  constructor(
    db: DataSource,
    timers: Timers,
    private readonly processor: AlertBatchProcessor,
    private readonly metrics: MaintenanceMetrics,
  ) {
    this.afterCommit = new AfterCommit(db);
    timers.register<{ windowId: string }>(RELEASE_TIMER, {
      fire: async (timer: Timer<{ windowId: string }>, tx) => {
        const { released, heldAgain } = await this.processor.release(tx, timer.payload?.windowId ?? timer.key);
        this.afterCommit.run(tx, () => {
          if (released > 0) this.metrics.released.inc({ outcome: 'incident' }, released);
          if (heldAgain > 0) this.metrics.released.inc({ outcome: 'held_again' }, heldAgain);
        });
      },
    });
  }
}
