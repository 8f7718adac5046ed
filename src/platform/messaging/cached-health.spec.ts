import { CachedHealth } from './cached-health';

const settings = { healthTimeoutMs: 50, healthCacheMs: 1000 };

describe('CachedHealth', () => {
  it('asks once for concurrent callers and answers later calls from the cache', async () => {
    let probes = 0;
    const health = new CachedHealth(async () => void probes++, settings);
    expect(await Promise.all([health.check(() => true), health.check(() => true)])).toEqual([true, true]);
    expect(await health.check(() => true)).toBe(true);
    expect(probes).toBe(1);
  });

  it.each([
    ['the probe fails', () => Promise.reject(new Error('connection refused')), () => true],
    ['the probe hangs past the timeout', () => new Promise<void>(() => undefined), () => true],
  ])('is unhealthy when %s, and reports why', async (_, probe, up) => {
    const failures: unknown[] = [];
    const health = new CachedHealth(probe, settings, (error) => failures.push(error));
    expect(await health.check(up)).toBe(false);
    expect(failures).toHaveLength(1);
  });

  it('is unhealthy without probing while the transport is down, and when it went down during the probe', async () => {
    let probes = 0;
    let up = false;
    const health = new CachedHealth(async () => {
      probes++;
      up = false;
    }, settings);
    expect(await health.check(() => up)).toBe(false);
    expect(probes).toBe(0);
    up = true;
    expect(await health.check(() => up)).toBe(false);
    expect(probes).toBe(1);
  });
});
