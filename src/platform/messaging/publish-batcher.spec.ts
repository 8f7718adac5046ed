import { backoff } from './backoff';
import { OutgoingMessage } from './message-transport';
import { PublishBatcher, PublishChunk } from './publish-batcher';
import { MessageTooLargeError } from './transport-errors';

const message = (key: string, value: string): OutgoingMessage => ({ key, value });

/** A batcher whose requests are recorded; `fail` decides per request whether it is refused. */
function recording(
  options: { maxMessages?: number; maxBytes?: number; fail?: (n: number) => boolean; timeoutMs?: number } = {},
) {
  const requests: Array<Array<PublishChunk<OutgoingMessage>>> = [];
  let release: (() => void) | undefined;
  const batcher = new PublishBatcher<OutgoingMessage>({
    bounds: { maxMessages: options.maxMessages ?? 100, maxBytes: options.maxBytes ?? 1_000_000, maxMessageBytes: 1000 },
    lingerMs: 0,
    convert: (m) => m,
    write: async (chunks) => {
      requests.push(chunks);
      if (options.timeoutMs !== undefined) await new Promise<void>((resolve) => (release = resolve));
      if (options.fail?.(requests.length)) throw new Error(`request ${requests.length} refused`);
    },
    timeoutMs: options.timeoutMs,
    timeoutError: () => new Error('timed out'),
  });
  const values = (n: number) => requests[n].flatMap((chunk) => chunk.messages.map((m) => String(m.value)));
  return { batcher, requests, values, release: () => release?.() };
}

describe('PublishBatcher', () => {
  it('gathers the publishes of one event-loop turn into one request, in call order', async () => {
    const { batcher, requests, values } = recording();
    await Promise.all([
      batcher.publish('a', [message('k1', '1'), message('k2', '2')]),
      batcher.publish('b', [message('k1', '3')]),
      batcher.publish('a', []),
    ]);
    expect(requests).toHaveLength(1);
    expect(values(0)).toEqual(['1', '2', '3']);
    expect(requests[0].map((c) => c.topic)).toEqual(['a', 'b']);
    expect(batcher.stats).toEqual({ publishes: 2, messages: 3, requests: 1 });
  });

  it.each([
    ['message count', { maxMessages: 2 }, [['1', '2'], ['3', '4'], ['5']]],
    // 66 bytes each on the wire estimate (64 of record overhead).
    [
      'bytes',
      { maxBytes: 200 },
      [
        ['1', '2', '3'],
        ['4', '5'],
      ],
    ],
  ])('splits requests by %s without reordering', async (_, bounds, expected) => {
    const { batcher, requests, values } = recording(bounds);
    await batcher.publish(
      't',
      ['1', '2', '3', '4', '5'].map((v) => message('k', v)),
    );
    expect(requests.map((_r, i) => values(i))).toEqual(expected);
  });

  it('rejects a call whose message is over the limit before queuing any of it', async () => {
    const { batcher, requests } = recording();
    await expect(batcher.publish('t', [message('k', 'ok'), message('k', 'x'.repeat(2000))])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
    await batcher.flush();
    expect(requests).toHaveLength(0);
  });

  it('rejects every caller of a refused request, and skips the rest of a failed call', async () => {
    const { batcher, requests, values } = recording({ maxMessages: 1, fail: (n) => n === 1 });
    const failed = batcher.publish('t', [message('k', '1'), message('k', '2')]);
    const later = batcher.publish('t', [message('k', '3')]);
    await expect(failed).rejects.toThrow('request 1 refused');
    await expect(later).resolves.toBeUndefined();
    expect(requests.map((_r, i) => values(i))).toEqual([['1'], ['3']]);
  });

  it('rejects a publish not written within the deadline, and flush waits for the request in flight', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { batcher, requests, release } = recording({ timeoutMs: 50 });
      const slow = batcher.publish('t', [message('k', '1')]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(requests).toHaveLength(1);
      jest.advanceTimersByTime(50);
      await expect(slow).rejects.toThrow('timed out');
      let flushed = false;
      const flushing = batcher.flush().then(() => (flushed = true));
      await Promise.resolve();
      expect(flushed).toBe(false);
      release();
      await flushing;
      expect(flushed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('backoff', () => {
  it.each([
    [200, 1, 5000, 200],
    [200, 3, 5000, 800],
    [200, 10, 5000, 5000],
    [1000, 0, 10_000, 1000],
    [500, 5, 5000, 5000],
  ])('first %i ms, attempt %i, cap %i → %i ms', (first, attempt, cap, expected) => {
    expect(backoff(first, attempt, cap)).toBe(expected);
  });
});
