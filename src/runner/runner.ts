import { Duration } from 'luxon';
import { RunnerConfig } from './runner-config';
import { resolveScript, runScript } from './script';

interface Claim {
  run: { id: string; automationId: string; automation: string; incidentId: string };
  script: string;
  args: Record<string, string>;
  timeout: string;
  leaseSeconds: number;
}

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/**
 * The runner's loop: claim a run (short poll), keep its lease while the script runs, report
 * the result. A run is reported once; if this process dies, the lease lapses and the service
 * fails the run — it is never run again.
 */
export class Runner {
  private stopping = false;
  private wake?: () => void;

  constructor(
    private readonly config: RunnerConfig,
    private readonly log: Log,
  ) {}

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let claim: Claim | null = null;
      try {
        claim = await this.claim();
        failures = 0;
      } catch (error) {
        failures++;
        this.log('warn', 'claiming a run failed', { error: (error as Error).message });
      }
      if (claim) await this.execute(claim);
      else
        await this.pause(
          failures > 0 ? Math.min(30_000, this.config.pollMs * 2 ** Math.min(failures, 5)) : this.config.pollMs,
        );
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async call(route: string, body: unknown): Promise<Response> {
    return fetch(`${this.config.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.config.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  }

  private async claim(): Promise<Claim | null> {
    const response = await this.call('/api/v1/runner/claim', { leaseSeconds: this.config.leaseSeconds });
    if (response.status === 204) return null;
    if (response.status !== 200) throw new Error(`claim answered ${response.status}`);
    return (await response.json()) as Claim;
  }

  private async execute(claim: Claim): Promise<void> {
    const { run } = claim;
    this.log('info', 'running', { runId: run.id, automation: run.automation, script: claim.script });
    const heartbeat = setInterval(
      () => {
        this.call(`/api/v1/runner/runs/${run.id}/heartbeat`, { leaseSeconds: this.config.leaseSeconds })
          .then((r) => {
            if (r.status !== 204)
              this.log('warn', 'the service no longer holds this run for us', { runId: run.id, status: r.status });
          })
          .catch((error: Error) => this.log('warn', 'heartbeat failed', { runId: run.id, error: error.message }));
      },
      Math.max(500, (this.config.leaseSeconds * 1000) / 3),
    );
    let report: { exitCode: number | null; output: string; error: string | null };
    try {
      const resolved = await resolveScript(this.config.scriptsDir, claim.script);
      if (!resolved.ok) report = { exitCode: null, output: '', error: resolved.reason };
      else {
        const timeoutMs = Duration.fromISO(claim.timeout).as('milliseconds');
        report = await runScript(resolved.file, claim.args ?? {}, {
          runId: run.id,
          incidentId: run.incidentId,
          timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 300_000,
          basePath: '/usr/local/bin:/usr/bin:/bin',
        });
      }
    } finally {
      clearInterval(heartbeat);
    }
    await this.report(run.id, report);
  }

  /** Retries the report while the lease may still hold; a 409 means the service already ended the run. */
  private async report(
    runId: string,
    report: { exitCode: number | null; output: string; error: string | null },
  ): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const response = await this.call(`/api/v1/runner/runs/${runId}/result`, report);
        if (response.status === 204) {
          this.log('info', 'reported', { runId, exitCode: report.exitCode, error: report.error });
          return;
        }
        if (response.status === 409 || response.status === 400) {
          this.log('warn', 'the service refused the result', { runId, status: response.status });
          return;
        }
      } catch (error) {
        this.log('warn', 'reporting failed', { runId, error: (error as Error).message });
      }
      await this.pause(1000 * 2 ** attempt);
    }
  }
}
