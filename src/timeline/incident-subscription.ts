import type { TimelineEntry } from '../incidents';

/** Where replayed and gap entries come from: the event log. */
export interface TimelineSource {
  /** Entries of one incident with after < seq ≤ upTo, in seq order, at most `limit`. */
  read(incidentId: string, after: number, upTo: number, limit: number): Promise<TimelineEntry[]>;
}

/** The client end of a subscription. */
export interface SubscriberChannel {
  /** Sends one entry now. */
  send(entry: TimelineEntry): void;
  /** Resolves true once the client has room for another page; false when it was cut meanwhile. */
  ready(): Promise<boolean>;
  /** Drops the client (too slow, or its subscription cannot continue); it resumes with `after`. */
  cut(reason: string, error?: unknown): void;
}

export interface SubscriptionLimits {
  /** Entries per read from the log (replay and gap fill). */
  pageSize: number;
  /** Live entries that may wait behind a replay or gap fill before the client is cut. */
  maxQueued: number;
}

const END = Number.MAX_SAFE_INTEGER;

/**
 * One client's subscription to one incident's timeline: replay from the log, then the live
 * tail, merged by seq so that every entry after `after` is sent exactly once, in order.
 *
 * The cursor `lastSent` is the seq of the last entry sent. A live entry with seq ≤ lastSent is
 * dropped (seen in the replay, or delivered twice by the transport); seq = lastSent + 1 is sent;
 * a greater seq means entries are missing (the replay has not reached them, or they were
 * published before this instance tailed the topic), so the log is read up to that seq first.
 * Work is serialised on one promise chain per subscription; while the chain is idle a live
 * entry that is next in line is sent without queueing (see `offer`).
 */
export class IncidentSubscription {
  private lastSent: number;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  /** The highest seq offered into the queue: a later offer at or below it is already covered. */
  private queuedUpTo = 0;
  private cancelled = false;

  constructor(
    readonly incidentId: string,
    after: number,
    private readonly source: TimelineSource,
    private readonly channel: SubscriberChannel,
    private readonly limits: SubscriptionLimits,
  ) {
    this.lastSent = after;
  }

  /** The seq of the last entry sent. */
  get cursor(): number {
    return this.lastSent;
  }

  get active(): boolean {
    return !this.cancelled;
  }

  /** Whether a replay, gap fill or queued live entry is pending. */
  get busy(): boolean {
    return this.queued > 0;
  }

  /** Replays the log after the cursor; call once, after the client has its acknowledgement. */
  start(): void {
    this.enqueue(() => this.catchUp(END));
  }

  /**
   * Reads the log after the cursor once more, behind whatever is pending. For the moment this
   * instance's tail becomes live: entries published before then never arrive live, and one
   * with nothing after it would otherwise never be read as a gap either.
   */
  reread(): void {
    if (!this.cancelled) this.enqueue(() => this.catchUp(END));
  }

  /**
   * Offers a live entry. Returns true when it is the next entry and nothing is pending: the
   * cursor has advanced and the caller must send it now (so that the subscribers of one
   * incident can share one broadcast). Otherwise it is dropped as already sent or already
   * queued, or queued behind the pending work, and false is returned.
   */
  offer(entry: TimelineEntry): boolean {
    if (this.cancelled) return false;
    if (this.queued === 0) {
      if (entry.seq <= this.lastSent) return false;
      if (entry.seq === this.lastSent + 1) {
        this.lastSent = entry.seq;
        return true;
      }
    }
    // A second copy of a queued entry (the early one and the tail's, on the instance whose relay
    // leads) must not count twice against maxQueued: delivering the highest queued seq reads the
    // log up to it, so anything at or below it is sent by then.
    if (entry.seq <= Math.max(this.lastSent, this.queuedUpTo)) return false;
    this.queuedUpTo = entry.seq;
    this.enqueue(() => this.deliver(entry));
    return false;
  }

  /** Stops sending; pending work finishes without effect. Idempotent. */
  cancel(): void {
    this.cancelled = true;
  }

  /** Resolves when the work queued so far is done (for tests). */
  idle(): Promise<void> {
    return this.tail;
  }

  private enqueue(task: () => Promise<void>): void {
    if (this.queued >= this.limits.maxQueued) {
      this.fail(`more than ${this.limits.maxQueued} live entries waiting behind a replay`);
      return;
    }
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.cancelled) await task();
      } catch (error) {
        this.fail('the timeline could not be read', error);
      } finally {
        this.queued--;
      }
    });
  }

  private async deliver(entry: TimelineEntry): Promise<void> {
    if (entry.seq <= this.lastSent) return;
    if (entry.seq > this.lastSent + 1) await this.catchUp(entry.seq);
    if (this.cancelled || entry.seq <= this.lastSent) return;
    if (entry.seq !== this.lastSent + 1) {
      // The log lacks entries before one that was published: never skip ahead over a gap.
      throw new Error(`seq ${this.lastSent + 1}..${entry.seq - 1} of incident ${this.incidentId} are not in the log`);
    }
    this.lastSent = entry.seq;
    this.channel.send(entry);
  }

  /** Sends the log's entries after the cursor up to `upTo`, a page at a time, as the client takes them. */
  private async catchUp(upTo: number): Promise<void> {
    while (this.lastSent < upTo) {
      if (!(await this.channel.ready()) || this.cancelled) return;
      const page = await this.source.read(this.incidentId, this.lastSent, upTo, this.limits.pageSize);
      if (this.cancelled) return;
      for (const entry of page) {
        if (entry.seq !== this.lastSent + 1) {
          throw new Error(`the log of incident ${this.incidentId} jumps from seq ${this.lastSent} to ${entry.seq}`);
        }
        this.lastSent = entry.seq;
        this.channel.send(entry);
      }
      if (page.length < this.limits.pageSize) return;
    }
  }

  private fail(reason: string, error?: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.channel.cut(reason, error);
  }
}
