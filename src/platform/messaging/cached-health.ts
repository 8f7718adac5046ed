import { withTimeout } from './signal';

/**
 * A transport's health answer: a probe bounded by a timeout, shared by concurrent callers and
 * cached briefly, so `/readyz` polled by many load balancers costs one round trip a second.
 */
export class CachedHealth {
  private last?: { healthy: boolean; at: number };
  private inFlight?: Promise<boolean>;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly settings: { healthTimeoutMs: number; healthCacheMs: number },
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  /** `up()` is the adapter's own state, asked before and after the probe: a transport stopping meanwhile is unhealthy. */
  check(up: () => boolean): Promise<boolean> {
    if (!up()) return Promise.resolve(false);
    if (this.last && Date.now() - this.last.at < this.settings.healthCacheMs) {
      return Promise.resolve(this.last.healthy);
    }
    const timeoutMs = this.settings.healthTimeoutMs;
    this.inFlight ??= withTimeout(this.probe(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`))
      .then(up, (error: unknown) => {
        this.onFailure(error);
        return false;
      })
      .then((healthy) => {
        this.last = { healthy, at: Date.now() };
        this.inFlight = undefined;
        return healthy;
      });
    return this.inFlight;
  }
}
