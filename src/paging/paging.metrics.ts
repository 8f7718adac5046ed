import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';

/** Paging metrics on the instance's registry. `policy` is the policy id (names change, ids do not). */
@Injectable()
export class PagingMetrics {
  readonly pagesStarted: Counter<'policy'>;
  readonly notifications: Counter<'method' | 'outcome'>;
  readonly timeToAcknowledge: Histogram<'policy'>;
  readonly holds: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.pagesStarted = new Counter({
      name: 'sitrep_pages_started_total',
      help: 'Pages started, by escalation policy',
      labelNames: ['policy'],
      registers,
    });
    this.notifications = new Counter({
      name: 'sitrep_page_notifications_total',
      help: 'Page notifications by method (email, slack, sms, voice) and outcome (queued, sent, failed, unreachable)',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.timeToAcknowledge = new Histogram({
      name: 'sitrep_page_time_to_acknowledge_seconds',
      help: 'From the start of a page to the incident acknowledgement, by escalation policy',
      labelNames: ['policy'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
      registers,
    });
    this.holds = new Counter({
      name: 'sitrep_page_holds_total',
      help: "Pages held for an automation's verdict (held), and how holds ended (stood_down: nobody paged; paged)",
      labelNames: ['outcome'],
      registers,
    });
  }
}
