import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetIncident } from '../incidents';
import { Signal } from '../platform/messaging/signal';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { AutomationEngine, Outcome } from './automation-engine';
import { boundedOutput, durationMs, OUTPUT_LIMIT, signatureHeader } from './domain';
import { AutomationRow, RunRow } from './persistence/automation-rows';

const POLL_MS = 1000;
const MAX_IN_FLIGHT = 8;
/** Beyond the action's timeout: the time to record the result before the lease lapses. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends webhook runs. Each is claimed with a lease before the request goes out and ended by a
 * conditional update, so a crash mid-request fails the run when the lease lapses instead of
 * sending it again: at most once, never silently lost.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly signal = new Signal();
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopped = false;
  /** Aborts requests in flight at shutdown: they end as failed now rather than after their lease. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly engine: AutomationEngine,
    private readonly queries: QueryBus,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    engine.onQueued(() => this.signal.notify());
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.signal.notify();
    this.shutdown.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = false;
      if (this.inFlight.size < MAX_IN_FLIGHT) {
        try {
          const next = await this.engine.claim('webhook', { marginMs: LEASE_MARGIN_MS }, null);
          if (next) {
            claimed = true;
            const job = this.send(next.run, next.automation).finally(() => {
              this.inFlight.delete(job);
              this.signal.notify();
            });
            this.inFlight.add(job);
          }
        } catch (error) {
          if (!this.stopped) this.logger.error({ err: error }, 'The webhook worker could not claim a run');
        }
      }
      if (!claimed) await this.signal.wait(POLL_MS);
    }
  }

  private async send(run: RunRow, automation: AutomationRow): Promise<void> {
    const outcome = await this.deliver(run, automation);
    try {
      await this.engine.finish(run.id, outcome, null);
    } catch (error) {
      // The lease will fail the run; the request is not sent again.
      this.logger.error({ err: error, runId: run.id }, 'Recording a webhook result failed');
    }
  }

  private async deliver(run: RunRow, automation: AutomationRow): Promise<Outcome> {
    if (run.request.type !== 'webhook') return { ok: false, result: { output: '' }, reason: 'not a webhook run' };
    const timeoutMs = durationMs(run.request.timeout) ?? 10_000;
    let body: string;
    try {
      const incident = await this.queries.execute(new GetIncident(run.incident_id));
      const alerts = await this.engine.alertsOf(run.incident_id);
      body = JSON.stringify({
        automation: { id: automation.id, name: automation.name, mode: automation.mode },
        run: { id: run.id, actor: run.actor, queuedAt: new Date(run.queued_at).toISOString(), alertId: run.alert_id },
        incident,
        alerts,
      });
    } catch (error) {
      return { ok: false, result: { output: '' }, reason: `could not build the request: ${(error as Error).message}` };
    }
    try {
      const response = await fetch(run.request.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.shutdown.signal]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Sitrep-Automation/1',
          'x-sitrep-signature': signatureHeader(automation.signing_secret, body, new Date()),
          'x-sitrep-run-id': run.id,
        },
        body,
      });
      const output = await excerpt(response);
      const result = { statusCode: response.status, output };
      if (response.status >= 200 && response.status < 300) return { ok: true, result };
      if (response.status >= 300 && response.status < 400)
        return { ok: false, result, reason: `HTTP ${response.status}: redirects are not followed` };
      return { ok: false, result, reason: `HTTP ${response.status}` };
    } catch (error) {
      const name = (error as Error).name;
      if (this.shutdown.signal.aborted)
        return {
          ok: false,
          result: { output: '' },
          reason: 'the instance shut down during the request; not retried (it may have been received)',
        };
      if (name === 'TimeoutError' || name === 'AbortError')
        return { ok: false, result: { output: '' }, reason: `timed out after ${run.request.timeout}` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        ok: false,
        result: { output: '' },
        reason: `request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      };
    }
  }
}

/** The first 64 KiB of the response; the rest is not read. */
async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < OUTPUT_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      size += value.length;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return boundedOutput(Buffer.concat(chunks).toString('utf8'));
}
