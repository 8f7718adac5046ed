import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';

/** Chatops metrics on the instance's registry. */
@Injectable()
export class ChatopsMetrics {
  readonly requests: Counter<'endpoint' | 'outcome'>;
  readonly jobs: Counter<'kind' | 'outcome'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'sitrep_slack_requests_total',
      help: 'Requests from Slack by endpoint (commands, interactions, events) and outcome (accepted, duplicate, rejected_<verdict>, unconfigured)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.jobs = new Counter({
      name: 'sitrep_chat_jobs_total',
      help: 'Chat job runs (create_channel, invite, pin, click) by outcome (done, retried, rate_limited, failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
  }
}
