import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';

/** `automation` is the automation's name: what an operator reads on a dashboard. */
@Injectable()
export class AutomationMetrics {
  readonly runs: Counter<'automation' | 'outcome'>;
  readonly duration: Histogram<'automation' | 'action'>;
  readonly verdicts: Counter<'automation' | 'verdict'>;
  readonly consecutiveFailures: Gauge<'automation'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'sitrep_automation_runs_total',
      help: 'Automation decisions and runs by automation and outcome (succeeded, failed, skipped, suggested)',
      labelNames: ['automation', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'sitrep_automation_run_duration_seconds',
      help: 'From a run starting to its result, by automation and action type',
      labelNames: ['automation', 'action'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.verdicts = new Counter({
      name: 'sitrep_automation_verifications_total',
      help: 'Verify windows that ended verified or unverified, by automation',
      labelNames: ['automation', 'verdict'],
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: 'sitrep_automation_consecutive_failures',
      help: 'Runs of an automation that failed in a row since its last success (alert on > 2)',
      labelNames: ['automation'],
      registers,
    });
  }
}
