import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

/**
 * Runs a callback once the transaction an EntityManager belongs to has committed (dropped on
 * rollback), or at once without a transaction. For wake-ups only: a row written in a caller's
 * transaction is invisible to a background loop until that commit, so waking the loop earlier
 * would find nothing. Nothing durable may depend on it (a crash between commit and callback
 * loses the callback; the loop's poll still finds the row).
 */
export class AfterCommit {
  private readonly pending = new WeakMap<QueryRunner, Array<() => void>>();
  private readonly subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: (event) => this.settle(event.queryRunner, true),
    afterTransactionRollback: (event) => this.settle(event.queryRunner, false),
  };

  constructor(private readonly db: DataSource) {
    db.subscribers.push(this.subscriber);
  }

  /** A callback given twice for one transaction runs once (one wake-up per commit, not per append). */
  run(tx: EntityManager | undefined, callback: () => void): void {
    const runner = tx?.queryRunner;
    if (!runner || !runner.isTransactionActive) return callback();
    const callbacks = this.pending.get(runner) ?? [];
    if (!callbacks.includes(callback)) callbacks.push(callback);
    this.pending.set(runner, callbacks);
  }

  detach(): void {
    const index = this.db.subscribers.indexOf(this.subscriber);
    if (index !== -1) this.db.subscribers.splice(index, 1);
  }

  private settle(runner: QueryRunner, committed: boolean): void {
    const callbacks = this.pending.get(runner);
    if (!callbacks) return;
    this.pending.delete(runner);
    if (committed) for (const callback of callbacks) callback();
  }
}
