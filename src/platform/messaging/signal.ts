/**
 * A wake-up flag for one background loop: `notify()` wakes the pending `wait()`, or, if the
 * loop is busy, makes its next `wait()` return at once, so no wake-up is ever lost.
 */
export class Signal {
  private flagged = false;
  private waiter?: () => void;

  notify(): void {
    this.flagged = true;
    this.waiter?.();
  }

  /** Resolves on the next notify (or a pending one), or after `timeoutMs` if given. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.flagged) {
      this.flagged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        if (this.waiter === done) this.waiter = undefined;
        this.flagged = false;
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
      this.waiter = done;
    });
  }
}

/** Resolves `promise`, or rejects with `onTimeout()` after `ms`; the timer never outlives it. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  promise.catch(() => undefined); // a late rejection after the timeout is not unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
