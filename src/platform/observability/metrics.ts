import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * One registry per service instance (tests run two instances in one process), holding the
 * process metrics and the HTTP request histogram; modules add their own metrics to it.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sitrep_' });
    this.httpDuration = new Histogram({
      name: 'sitrep_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}
