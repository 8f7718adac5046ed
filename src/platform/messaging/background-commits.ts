/**
 * Commits a Kafka consumer's handled offsets without holding up its next batch. Awaiting an
 * OffsetCommit after every batch caps a member at one batch per broker round trip per
 * partition, and under an incident storm the backlog (and the live timeline's latency) grows
 * for as long as the storm lasts. Here at most one commit is in flight, and commits start at
 * least `spacingMs` apart; batches handled meanwhile are covered by the next one, which reads
 * the offsets resolved by then. Without the spacing every batch of a busy group cost a broker
 * round trip of its own (in a 100 incidents/s storm, as many OffsetCommits as Fetches).
 *
 * At least once still holds: only offsets whose handler finished are ever resolved, so a crash
 * or a rebalance before a commit lands means a redelivery (at most `spacingMs` of batches),
 * never a loss. `settle()` (at stop) commits what is pending at once.
 */
export class BackgroundCommits {
  private inFlight?: Promise<void>;
  private next?: () => Promise<void>;
  private lastStart = -Infinity;
  private hurry?: () => void;
  private settling = 0;

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly spacingMs = 0,
  ) {}

  /** Runs `commit` now, or once the commit in flight is done and the spacing passed (only the latest request runs then). */
  request(commit: () => Promise<void>): void {
    if (this.inFlight) {
      this.next = commit;
      return;
    }
    this.inFlight = this.drain(commit);
  }

  /** Commits what is requested without waiting out the spacing; resolves once nothing is in flight or requested. */
  async settle(): Promise<void> {
    this.settling++;
    try {
      this.hurry?.();
      while (this.inFlight) await this.inFlight;
    } finally {
      this.settling--;
    }
  }

  private async drain(first: () => Promise<void>): Promise<void> {
    for (let commit: (() => Promise<void>) | undefined = first; commit; commit = this.next) {
      if (this.lastStart + this.spacingMs > Date.now() && this.settling === 0) {
        await this.spaced();
        commit = this.next ?? commit; // a request made while waiting covers the earlier one
      }
      this.next = undefined;
      this.lastStart = Date.now();
      try {
        await commit();
      } catch (error) {
        this.onError(error);
      }
    }
    this.inFlight = undefined;
  }

  private spaced(): Promise<void> {
    const wait = this.lastStart + this.spacingMs - Date.now();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.hurry = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.hurry = done;
    });
  }
}
