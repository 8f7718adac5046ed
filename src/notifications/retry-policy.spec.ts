import { afterTransientFailure, backoffMs, DEFAULT_RETRY_POLICY } from './retry-policy';

describe('retry policy', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('backs off exponentially with jitter between half and all of the step, up to the cap', () => {
    expect(backoffMs(1, policy, () => 0)).toBe(2500);
    expect(backoffMs(1, policy, () => 1)).toBe(5000);
    expect(backoffMs(3, policy, () => 1)).toBe(20_000);
    expect(backoffMs(20, policy, () => 1)).toBe(policy.capMs);
  });

  it('gives up after the eighth attempt or when the retry would pass the one-hour budget', () => {
    const now = new Date('2026-03-14T10:00:00Z');
    const later = new Date(now.getTime() + 3600_000);
    expect(afterTransientFailure(1, later, now, policy, () => 0)).toEqual({ retry: true, delayMs: 2500 });
    expect(afterTransientFailure(8, later, now, policy)).toEqual({ retry: false, reason: 'gave up after 8 attempts' });
    const soon = new Date(now.getTime() + 1000);
    expect(afterTransientFailure(2, soon, now, policy)).toMatchObject({ retry: false });
  });
});
