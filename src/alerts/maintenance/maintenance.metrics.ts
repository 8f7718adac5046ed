import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '../../platform/observability/metrics';

/** Maintenance windows on the instance's registry. */
@Injectable()
export class MaintenanceMetrics {
  readonly held: Counter;
  readonly released: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.held = new Counter({
      name: 'sitrep_alerts_held_total',
      help: 'New firing alerts held by a maintenance window instead of declaring (or reopening) an incident',
      registers,
    });
    this.released = new Counter({
      name: 'sitrep_alerts_released_total',
      help: 'Held alerts still firing when their window ended, by outcome (incident: joined or declared one; held_again: another window covers them)',
      labelNames: ['outcome'],
      registers,
    });
  }
}
