import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../observability/metrics';

/** Timer metrics on the instance's registry; the overdue gauge reads PostgreSQL when scraped. */
export class TimerMetrics {
  readonly fired: Counter<'kind'>;
  readonly failed: Counter<'kind'>;
  readonly lag: Histogram<'kind'>;
  readonly looks: Counter;

  constructor(metrics: Metrics, overdue: () => Promise<number>) {
    const registers = [metrics.registry];
    this.fired = new Counter({ name: 'sitrep_timers_fired_total', help: 'Timers fired, by kind', labelNames: ['kind'], registers });
    this.failed = new Counter({
      name: 'sitrep_timers_failed_total',
      help: 'Timer fires whose handler threw (rolled back, retried with backoff), by kind',
      labelNames: ['kind'],
      registers,
    });
    this.lag = new Histogram({
      name: 'sitrep_timers_lag_seconds',
      help: 'How late a timer fired after it fell due (retries count from the retry time), by kind',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.looks = new Counter({
      name: 'sitrep_timers_looks_total',
      help: "Times this instance's timer loop looked for due timers (each is a few queries)",
      registers,
    });
    new Gauge({
      name: 'sitrep_timers_overdue',
      help: 'Timers due more than 30 s ago and not fired yet (whole deployment): a stuck kind or a failing handler',
      registers,
      async collect() {
        this.set(await overdue().catch(() => 0));
      },
    });
  }
}
