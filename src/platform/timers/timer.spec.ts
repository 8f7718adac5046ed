import { retryDelayMs } from './timer';

describe('retryDelayMs (backoff after a failed timer fire)', () => {
  const settings = { retryBaseMs: 1000, retryMaxMs: 300_000 };
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [9, 256_000],
    [10, 300_000],
    [1000, 300_000],
    [0, 1000],
  ])('after %i failed fires waits %i ms', (attempts, expected) => {
    expect(retryDelayMs(attempts, settings)).toBe(expected);
  });
});
