/**
 * Commits a Kafka consumer's handled offsets without holding up its next batch. Awaiting an
 * OffsetCommit after every batch caps a member at one batch per broker round trip per
 * partition, and under an incident storm the backlog (and the live timeline's latency) grows
 * for as long as the storm lasts. Here at most one commit is in flight; batches handled
 * meanwhile are covered by the next one, which reads the offsets resolved by then.
 *
 * At least once still holds: only offsets whose handler finished are ever resolved, so a crash
 * or a rebalance before a commit lands means a redelivery, never a loss.
 */
export class BackgroundCommits {
  private inFlight?: Promise<void>;
  private next?: () => Promise<void>;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `commit` now, or once the commit in flight is done (only the latest request runs then). */
  request(commit: () => Promise<void>): void {
    if (this.inFlight) {
      this.next = commit;
      return;
    }
    this.inFlight = this.drain(commit);
  }

  /** Resolves once no commit is in flight or requested. */
  async settle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(first: () => Promise<void>): Promise<void> {
    for (let commit: (() => Promise<void>) | undefined = first; commit; commit = this.next) {
      this.next = undefined;
      try {
        await commit();
      } catch (error) {
        this.onError(error);
      }
    }
    this.inFlight = undefined;
  }
}
