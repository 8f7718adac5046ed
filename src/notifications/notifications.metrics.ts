import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';

/** Notification metrics on the instance's registry; the queue gauges read PostgreSQL when scraped. */
@Injectable()
export class NotificationMetrics {
  readonly sent: Counter<'channel'>;
  readonly failed: Counter<'channel'>;
  readonly retried: Counter<'channel' | 'reason'>;
  readonly escalations: Counter;
  readonly queueDepth: Gauge;
  readonly oldestDueAge: Gauge;
  private source?: () => Promise<{ depth: number; oldestDueSeconds: number }>;
  private cached?: { at: number; value: Promise<{ depth: number; oldestDueSeconds: number }> };

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.sent = new Counter({
      name: 'sitrep_notifications_sent_total',
      help: 'Notifications delivered, by channel (slack, email)',
      labelNames: ['channel'],
      registers,
    });
    this.failed = new Counter({
      name: 'sitrep_notifications_failed_total',
      help: 'Notifications given up (permanent error or retry budget spent), by channel',
      labelNames: ['channel'],
      registers,
    });
    this.retried = new Counter({
      name: 'sitrep_notifications_retried_total',
      help: 'Sends put back for another try, by channel and reason (transient, rate_limited, deferred)',
      labelNames: ['channel', 'reason'],
      registers,
    });
    this.escalations = new Counter({
      name: 'sitrep_notifications_escalations_total',
      help: 'Incidents escalated because they stayed triggered past ACK_TIMEOUT',
      registers,
    });
    const stats = () => this.stats();
    this.queueDepth = new Gauge({
      name: 'sitrep_notifications_queue_depth',
      help: 'Notification jobs pending or in flight (whole deployment)',
      registers,
      async collect() {
        const s = await stats();
        if (s) this.set(s.depth);
      },
    });
    this.oldestDueAge = new Gauge({
      name: 'sitrep_notifications_oldest_due_age_seconds',
      help: 'How long the oldest due notification job has been waiting (0 when none is due)',
      registers,
      async collect() {
        const s = await stats();
        if (s) this.set(s.oldestDueSeconds);
      },
    });
  }

  /** Where the queue gauges read from. */
  attach(source: () => Promise<{ depth: number; oldestDueSeconds: number }>): void {
    this.source = source;
  }

  private async stats(): Promise<{ depth: number; oldestDueSeconds: number } | undefined> {
    if (!this.source) return undefined;
    if (!this.cached || Date.now() - this.cached.at > 1000) {
      this.cached = { at: Date.now(), value: this.source() };
    }
    return this.cached.value.catch(() => undefined);
  }
}
