/**
 * Group commit for incident commands: what is submitted while `workers` batches are under way
 * waits, and the next free worker takes all of it (up to `maxBatch`) as one batch. A command
 * submitted to an idle store starts at once, alone; under load, commands share their round
 * trips to PostgreSQL, which on a small machine are most of a command's cost.
 */
export class GatheredCommands<T> {
  private readonly waiting: T[] = [];
  private active = 0;
  /** The largest batch so far: for tests and benchmarks. */
  readonly stats = { largest: 0 };

  constructor(
    /** Settles every item of the batch; must not throw. */
    private readonly run: (batch: T[]) => Promise<void>,
    private readonly workers: number,
    private readonly maxBatch: number,
  ) {}

  submit(item: T): void {
    this.waiting.push(item);
    if (this.active >= this.workers) return;
    this.active++;
    void this.work();
  }

  private async work(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        this.stats.largest = Math.max(this.stats.largest, batch.length);
        await this.run(batch);
      }
    } finally {
      this.active--;
    }
  }
}
