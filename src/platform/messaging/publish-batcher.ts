import { checkedSizes, splitBySize } from './message-limits';
import { OutgoingMessage } from './message-transport';

/** Bounds of one write request, and of one message in it. */
export interface RequestBounds {
  maxMessages: number;
  maxBytes: number;
  maxMessageBytes: number;
}

/** One publish call's share of a request: messages of one topic, in call order. */
export interface PublishChunk<M> {
  topic: string;
  messages: M[];
  bytes: number;
}

interface QueuedChunk<M> extends PublishChunk<M> {
  /** Settled chunks (their call failed or timed out) are skipped, never written. */
  settled: boolean;
  settle(error?: Error): void;
}

export interface PublishBatcherOptions<M> {
  bounds: RequestBounds;
  /** How long the first publish of a request waits for company; 0 = the rest of this event-loop turn. */
  lingerMs: number;
  /** The adapter's message shape. */
  convert(message: OutgoingMessage): M;
  /** One request with these chunks, in order; its rejection is what every chunk's caller gets. */
  write(chunks: PublishChunk<M>[]): Promise<void>;
  /** A publish not done within this many ms rejects with `timeoutError()`; no deadline when absent. */
  timeoutMs?: number;
  timeoutError?: () => Error;
}

/**
 * Gathers concurrent publishes into one write request, one request at a time: what arrives
 * while a request is in flight forms the next one. Requests never skip ahead of a chunk that
 * does not fit, so each key's messages are written in call order. Each adapter supplies only
 * the request itself (a multi-row INSERT, a producer `sendBatch`).
 */
export class PublishBatcher<M> {
  private queue: QueuedChunk<M>[] = [];
  private scheduled = false;
  private writing = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { publishes: 0, messages: 0, requests: 0 };

  constructor(private readonly options: PublishBatcherOptions<M>) {}

  /** Publish calls, messages, and write requests made so far. */
  get stats(): Readonly<{ publishes: number; messages: number; requests: number }> {
    return { ...this.counters };
  }

  /**
   * Queues the messages (split into chunks within the request bounds); resolves once every
   * chunk is written, rejects with the first failure. A message over maxMessageBytes rejects
   * the whole call before anything is queued.
   */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const { bounds } = this.options;
    let sizes: number[];
    try {
      sizes = checkedSizes(messages, bounds.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.publishes++;
    this.counters.messages += messages.length;
    const runs = splitBySize(messages.map(this.options.convert), sizes, bounds.maxMessages, bounds.maxBytes);
    return new Promise<void>((resolve, reject) => {
      let remaining = runs.length;
      let done = false;
      const chunks: QueuedChunk<M>[] = [];
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        if (done) return;
        if (error) {
          done = true;
          clearTimeout(timer);
          // The call's queued chunks are skipped; its caller is told it failed.
          for (const chunk of chunks) chunk.settled = true;
          reject(error);
        } else if (--remaining === 0) {
          done = true;
          clearTimeout(timer);
          resolve();
        }
      };
      const { timeoutMs, timeoutError } = this.options;
      if (timeoutMs !== undefined && timeoutError) timer = setTimeout(() => finish(timeoutError()), timeoutMs);
      for (const run of runs) {
        const chunk: QueuedChunk<M> = {
          topic,
          messages: run.messages,
          bytes: run.bytes,
          settled: false,
          settle: (error) => {
            if (chunk.settled) return;
            chunk.settled = true;
            finish(error);
          },
        };
        chunks.push(chunk);
        this.queue.push(chunk);
      }
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  flush(): Promise<void> {
    if (!this.writing && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.writing = true;
      void this.drain().finally(() => {
        this.writing = false;
        if (this.queue.length > 0) this.schedule();
        else this.notifyIdle();
      });
    };
    // setImmediate gathers the publishes of this turn of the event loop at no added latency.
    if (this.options.lingerMs > 0) setTimeout(run, this.options.lingerMs);
    else setImmediate(run);
  }

  private async drain(): Promise<void> {
    for (;;) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.counters.requests++;
      try {
        await this.options.write(batch);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const chunk of batch) chunk.settle(failure);
        continue;
      }
      for (const chunk of batch) chunk.settle();
    }
  }

  private takeBatch(): QueuedChunk<M>[] {
    const { maxMessages, maxBytes } = this.options.bounds;
    const batch: QueuedChunk<M>[] = [];
    let count = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.settled) {
        this.queue.shift();
        continue;
      }
      const fits = count + next.messages.length <= maxMessages && bytes + next.bytes <= maxBytes;
      // Stop at the first chunk that does not fit: skipping ahead would reorder keys.
      if (batch.length > 0 && !fits) break;
      this.queue.shift();
      batch.push(next);
      count += next.messages.length;
      bytes += next.bytes;
    }
    return batch;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
