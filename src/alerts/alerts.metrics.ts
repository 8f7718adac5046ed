import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';
import { cutCounts } from './payload-hygiene';

export type RejectReason =
  'unauthorized' | 'signature_invalid' | 'signature_malformed' | 'invalid' | 'unavailable' | 'too_large';

/** Ingestion and consumer metrics, on the instance's registry. */
@Injectable()
export class AlertMetrics {
  readonly received: Counter<'source' | 'status'>;
  readonly rejected: Counter<'source' | 'reason'>;
  readonly ingestDuration: Histogram<'source'>;
  readonly recordsPublished: Counter<'source'>;
  readonly batchMessages: Histogram;
  readonly batchAlerts: Histogram;
  readonly batchDuration: Histogram;
  readonly applied: Counter<'transition'>;
  readonly consumerFailures: Counter;
  readonly undecodable: Counter;
  readonly duplicateDeliveries: Counter;
  readonly consumerLag: Gauge;
  readonly valuesCut: Counter<'source' | 'reason'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.received = new Counter({
      name: 'sitrep_alerts_received_total',
      help: 'Alert signals accepted at ingestion (answered 2xx), by source and status',
      labelNames: ['source', 'status'],
      registers,
    });
    this.rejected = new Counter({
      name: 'sitrep_alerts_rejected_total',
      help: 'Ingest requests refused, by source and reason',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.ingestDuration = new Histogram({
      name: 'sitrep_alert_ingest_duration_seconds',
      help: 'Ingest request handling time up to the durable acknowledgement, by source',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.recordsPublished = new Counter({
      name: 'sitrep_alert_records_published_total',
      help: 'Records published to the alerts topic, by source',
      labelNames: ['source'],
      registers,
    });
    this.batchMessages = new Histogram({
      name: 'sitrep_alert_consumer_batch_messages',
      help: 'Records per batch handled by the alert consumer',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    this.batchAlerts = new Histogram({
      name: 'sitrep_alert_consumer_batch_alerts',
      help: 'Alert signals per batch handled by the alert consumer',
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000, 50000],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'sitrep_alert_consumer_batch_duration_seconds',
      help: 'Time to apply one batch in PostgreSQL (one transaction)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.applied = new Counter({
      name: 'sitrep_alerts_applied_total',
      help: 'Alert transitions applied by the consumer (new_firing, new_resolved, resolved, repeat, ignored, …)',
      labelNames: ['transition'],
      registers,
    });
    this.consumerFailures = new Counter({
      name: 'sitrep_alert_consumer_failures_total',
      help: 'Batches whose transaction failed (they are delivered again)',
      registers,
    });
    this.undecodable = new Counter({
      name: 'sitrep_alert_consumer_undecodable_total',
      help: 'Records of the alerts topic that are not a message this version understands (logged, skipped)',
      registers,
    });
    this.duplicateDeliveries = new Counter({
      name: 'sitrep_alert_consumer_duplicate_deliveries_total',
      help: 'Deliveries seen again (PagerDuty redeliveries, transport redeliveries) and skipped',
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'sitrep_alert_consumer_lag_seconds',
      help: 'Age of the newest record of the last batch when it was applied',
      registers,
    });
    const valuesCut: Counter<'source' | 'reason'> = new Counter({
      name: 'sitrep_alert_values_cut_total',
      help:
        'Accepted alert texts cut with a visible marker instead of refusing the alert: reason record_size ' +
        '(longest label / annotation / detail values of an alert too large for one transport record), ' +
        'nesting (custom_details deeper than 32 levels). Counted by this process since it started',
      labelNames: ['source', 'reason'],
      registers,
      // Cutting happens in pure encoding code, which tallies per process; read it at scrape time.
      collect() {
        valuesCut.reset();
        for (const { source, reason, count } of cutCounts()) valuesCut.inc({ source, reason }, count);
      },
    });
    this.valuesCut = valuesCut;
  }
}
