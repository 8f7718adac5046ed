import type { TimelineEntry } from '../incidents';
import { IncidentSubscription, SubscriberChannel, TimelineSource } from './incident-subscription';

const INCIDENT = '6f1c2a4e-0000-4000-8000-000000000001';

function entry(seq: number): TimelineEntry {
  return {
    seq,
    incidentId: INCIDENT,
    type: 'note.added',
    occurredAt: new Date(0).toISOString(),
    actor: 'alice',
    data: { seq },
    summary: `note ${seq}`,
    kind: 'note',
  };
}

/** An in-memory event log; `hold()` makes reads wait until `release()`. */
class FakeLog implements TimelineSource {
  readonly entries: TimelineEntry[] = [];
  reads = 0;
  failWith?: Error;
  private gate?: Promise<void>;
  private open?: () => void;

  append(count: number): TimelineEntry[] {
    const added = Array.from({ length: count }, (_, i) => entry(this.entries.length + i + 1));
    this.entries.push(...added);
    return added;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async read(_incidentId: string, after: number, upTo: number, limit: number): Promise<TimelineEntry[]> {
    this.reads++;
    // The snapshot is taken when the read starts, as a database read would.
    const rows = this.entries.filter((e) => e.seq > after && e.seq <= upTo).slice(0, limit);
    await this.gate;
    if (this.failWith) throw this.failWith;
    return rows;
  }
}

class FakeChannel implements SubscriberChannel {
  readonly sent: number[] = [];
  cuts: Array<{ reason: string; error?: unknown }> = [];
  room = true;

  send(e: TimelineEntry): void {
    this.sent.push(e.seq);
  }

  async ready(): Promise<boolean> {
    return this.room;
  }

  cut(reason: string, error?: unknown): void {
    this.cuts.push({ reason, error });
  }
}

const limits = { pageSize: 10, maxQueued: 50 };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('IncidentSubscription: replay, then the live tail, merged by seq', () => {
  it('replays the entries after `after` in pages, then takes the next live entry directly', async () => {
    const log = new FakeLog();
    log.append(25);
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 2, log, channel, limits);
    sub.start();
    await sub.idle();
    expect(channel.sent).toEqual(range(3, 25));
    expect(log.reads).toBe(3);

    const [next] = log.append(1);
    expect(sub.offer(next)).toBe(true); // the caller sends it
    expect(sub.cursor).toBe(26);
    expect(sub.offer(next)).toBe(false); // a redelivery is dropped
  });

  it('merges live entries that arrive during the replay: no gap, no duplicate, in order', async () => {
    const log = new FakeLog();
    log.append(30);
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 0, log, channel, limits);
    log.hold();
    sub.start();
    // Written and published while the first page is being read.
    const live = log.append(15);
    for (const e of [...live, entry(5), entry(31)]) expect(sub.offer(e)).toBe(false);
    log.release();
    await sub.idle();
    expect(channel.sent).toEqual(range(1, 45));
    expect(channel.cuts).toEqual([]);
  });

  it('fills a gap from the log before a live entry that is ahead of the cursor', async () => {
    const log = new FakeLog();
    log.append(5);
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 5, log, channel, limits);
    sub.start();
    await sub.idle();
    expect(channel.sent).toEqual([]);
    const added = log.append(3); // 6, 7, 8: only 8 reaches this instance live
    expect(sub.offer(added[2])).toBe(false);
    await sub.idle();
    expect(channel.sent).toEqual([6, 7, 8]);
    expect(sub.offer(added[1])).toBe(false);
    expect(sub.busy).toBe(false);
  });

  it('rereads the log when the tail becomes live: entries published before then are sent once, in order', async () => {
    const log = new FakeLog();
    log.append(4);
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 4, log, channel, limits);
    sub.start();
    await sub.idle();
    log.append(2); // 5, 6: published before this instance's group was positioned, never seen live
    expect(channel.sent).toEqual([]);

    // The tail becomes live while entry 7 is written; it arrives live during the reread.
    log.hold();
    sub.reread();
    const [seventh] = log.append(1);
    expect(sub.offer(seventh)).toBe(false);
    log.release();
    await sub.idle();
    expect(channel.sent).toEqual([5, 6, 7]);

    sub.reread(); // idempotent: nothing after the cursor
    await sub.idle();
    const [eighth] = log.append(1);
    expect(sub.offer(eighth)).toBe(true);
    expect(channel.sent).toEqual([5, 6, 7]);
    expect(channel.cuts).toEqual([]);
  });

  it('cuts the client rather than skip over entries the log does not have', async () => {
    const log = new FakeLog();
    log.append(3);
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 3, log, channel, limits);
    sub.offer(entry(6));
    await sub.idle();
    expect(channel.sent).toEqual([]);
    expect(channel.cuts).toHaveLength(1);
    expect(sub.active).toBe(false);
  });

  it('counts an entry offered twice while busy once against the queue limit (early and tail copies)', async () => {
    const log = new FakeLog();
    log.append(1);
    log.hold();
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 0, log, channel, limits);
    sub.start();
    // 40 distinct entries, each offered twice: 80 offers, under the limit of 50 only if copies do not count.
    for (const e of log.append(40)) {
      expect(sub.offer(e)).toBe(false);
      expect(sub.offer(e)).toBe(false);
    }
    log.release();
    await sub.idle();
    expect(channel.cuts).toEqual([]);
    expect(channel.sent).toEqual(range(1, 41));
  });

  it('cuts the client when the log cannot be read, and when too much waits behind a replay', async () => {
    const failing = new FakeLog();
    failing.append(3);
    failing.failWith = new Error('connection refused');
    const channel = new FakeChannel();
    const sub = new IncidentSubscription(INCIDENT, 0, failing, channel, limits);
    sub.start();
    await sub.idle();
    expect(channel.cuts).toEqual([{ reason: expect.any(String), error: failing.failWith }]);

    const log = new FakeLog();
    log.append(1);
    log.hold();
    const crowded = new FakeChannel();
    const slow = new IncidentSubscription(INCIDENT, 0, log, crowded, limits);
    slow.start();
    for (let seq = 2; seq <= 60; seq++) slow.offer(entry(seq));
    expect(crowded.cuts).toHaveLength(1);
    expect(slow.active).toBe(false);
    log.release();
    await slow.idle();
    expect(crowded.sent).toEqual([]);
  });

  it('sends nothing once the channel has no room (the client was cut) or the subscription is cancelled', async () => {
    const log = new FakeLog();
    log.append(5);
    const channel = new FakeChannel();
    channel.room = false;
    const sub = new IncidentSubscription(INCIDENT, 0, log, channel, limits);
    sub.start();
    await sub.idle();
    expect(channel.sent).toEqual([]);
    expect(log.reads).toBe(0);

    const other = new FakeChannel();
    const cancelled = new IncidentSubscription(INCIDENT, 0, log, other, limits);
    cancelled.start();
    cancelled.cancel();
    expect(cancelled.offer(entry(6))).toBe(false);
    await cancelled.idle();
    expect(other.sent).toEqual([]);
  });
});
