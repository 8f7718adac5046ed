import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AttachedAlertView, GetIncidentAlerts } from '../alerts';
import { AutomationEvent, canTransition, IncidentCommands } from '../incidents';
import { AppError } from '../platform/http/app-error';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { AfterCommit } from '../platform/database/after-commit';
import { Timers } from '../platform/timers';
import { AutomationMetrics } from './automations.metrics';
import { boundedOutput, checkGuards, durationMs, matches, occurrenceKey, renderArgs, verifyVerdict } from './domain';
import {
  AutomationRow,
  RunRequest,
  RunResult,
  RunRow,
  rowsOf,
  toRunView,
  RunView,
} from './persistence/automation-rows';

export const LEASE_TIMER = 'automation.lease';
export const QUEUE_TIMER = 'automation.queue';
export const VERIFY_TIMER = 'automation.verify';
/** A runner run nobody claims within this fails, so a held page never waits on a runner that is not there. */
export const QUEUE_LIMIT = 'PT2M';
export const MIN_LEASE_MS = 2_000;
export const MAX_LEASE_MS = 300_000;

export interface Decision {
  automationId: string;
  mode: 'auto' | 'suggest';
  verify: boolean;
  decision: 'run' | 'suggested' | 'skipped';
  runId: string | null;
}

export interface Outcome {
  ok: boolean;
  result: RunResult;
  reason?: string;
}

const actorOf = (name: string) => `automation:${name}`;

/**
 * Decides, runs and verifies automations. Every decision is taken under the automation's row
 * lock and stored per alert occurrence, so concurrent consumers, a paging hold and redeliveries
 * decide once; every run moves queued → running → succeeded | failed by a conditional UPDATE,
 * so it is claimed once and finished once. Lock order: automations, runs, then the incident.
 */
@Injectable()
export class AutomationEngine {
  private readonly afterCommit: AfterCommit;
  private readonly queuedListeners: Array<() => void> = [];

  constructor(
    private readonly db: DataSource,
    private readonly incidents: IncidentCommands,
    private readonly queries: QueryBus,
    private readonly timers: Timers,
    private readonly metrics: AutomationMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    this.afterCommit = new AfterCommit(db);
    timers.register<{ runId: string }>(LEASE_TIMER, { fire: (t, tx) => this.leaseLapsed(t.payload.runId, tx) });
    timers.register<{ runId: string }>(QUEUE_TIMER, { fire: (t, tx) => this.queueLapsed(t.payload.runId, tx) });
    timers.register<{ runId: string }>(VERIFY_TIMER, { fire: (t, tx) => this.verifyWindowEnded(t.payload.runId, tx) });
  }

  /** Called after a commit that queued a run (the webhook worker wakes). */
  onQueued(listener: () => void): void {
    this.queuedListeners.push(listener);
  }

  alertsOf(incidentId: string): Promise<AttachedAlertView[]> {
    return this.queries.execute(new GetIncidentAlerts(incidentId)).then((r) => r.items);
  }

  /** The match rules of the enabled automations: a batch of alerts none of them matches costs one query. */
  async enabledMatchers(): Promise<Array<Pick<AutomationRow, 'id' | 'match'>>> {
    return (await this.db.query(`SELECT id, match FROM automations WHERE enabled AND deleted_at IS NULL ORDER BY id`)) as Array<
      Pick<AutomationRow, 'id' | 'match'>
    >;
  }

  /** Whether any of `matchers` matches a firing alert (the decision itself re-reads under lock). */
  static anyMatches(matchers: Array<Pick<AutomationRow, 'match'>>, alert: AttachedAlertView): boolean {
    const facts = { service: alert.service, severity: alert.severity, labels: alert.labels ?? {} };
    return matchers.some((a) => matches(a.match, facts));
  }

  /** Every enabled automation matching a firing alert decides once for its occurrence. */
  async decideForAlert(
    incidentId: string,
    alert: AttachedAlertView,
    tx: EntityManager,
    now = new Date(),
  ): Promise<Decision[]> {
    if (alert.status !== 'firing') return [];
    const all = (await tx.query(
      `SELECT id, match FROM automations WHERE enabled AND deleted_at IS NULL ORDER BY id`,
    )) as Array<Pick<AutomationRow, 'id' | 'match'>>;
    const facts = { service: alert.service, severity: alert.severity, labels: alert.labels ?? {} };
    const ids = all.filter((a) => matches(a.match, facts)).map((a) => a.id);
    if (ids.length === 0) return [];
    const locked = (await tx.query(
      `SELECT * FROM automations WHERE id = ANY($1) AND enabled AND deleted_at IS NULL ORDER BY id FOR NO KEY UPDATE`,
      [ids],
    )) as AutomationRow[];
    const occurrence = occurrenceKey(alert.identity, alert.startsAt);
    const decisions: Decision[] = [];
    for (const automation of locked) {
      const [previous] = (await tx.query(
        `SELECT decision, run_id FROM automation_occurrences WHERE automation_id = $1 AND occurrence = $2`,
        [automation.id, occurrence],
      )) as Array<{ decision: Decision['decision']; run_id: string | null }>;
      const base = { automationId: automation.id, mode: automation.mode, verify: automation.verify !== null };
      if (previous) {
        decisions.push({ ...base, decision: previous.decision, runId: previous.run_id });
        continue;
      }
      const recent = await this.recentRuns(tx, automation.id, now);
      const guard = checkGuards(automation.guards, { now, recentRunTimes: recent, occurrenceDecided: false });
      if (!guard.allow) {
        await this.record(incidentId, automation.name, tx, {
          type: 'automation.skipped',
          data: { automationId: automation.id, name: automation.name, reason: guard.reason },
        });
        await this.remember(tx, automation.id, occurrence, incidentId, 'skipped', null, guard.reason);
        this.count(tx, automation.name, 'skipped');
        decisions.push({ ...base, decision: 'skipped', runId: null });
      } else if (automation.mode === 'suggest') {
        await this.record(incidentId, automation.name, tx, {
          type: 'automation.suggested',
          data: { automationId: automation.id, name: automation.name, alertId: alert.alertId },
        });
        await this.remember(tx, automation.id, occurrence, incidentId, 'suggested', null, null);
        this.count(tx, automation.name, 'suggested');
        decisions.push({ ...base, decision: 'suggested', runId: null });
      } else {
        const run = await this.queue(tx, automation, incidentId, alert, actorOf(automation.name), now);
        await this.remember(tx, automation.id, occurrence, incidentId, 'run', run.id, null);
        decisions.push({ ...base, decision: 'run', runId: run.id });
      }
    }
    return decisions;
  }

  /** A responder's Run (suggest mode, or again): the hourly cap still holds. */
  async requestRun(incidentId: string, automationId: string, actor: string, now = new Date()): Promise<RunView> {
    const alerts = await this.alertsOf(incidentId);
    return this.db.transaction(async (tx) => {
      const [automation] = (await tx.query(
        `SELECT * FROM automations WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`,
        [automationId],
      )) as AutomationRow[];
      if (!automation)
        throw new AppError('invalid', 'AUTOMATION_NOT_FOUND', 'No such automation', [
          { path: 'automationId', problem: 'names no automation' },
        ]);
      if (!automation.enabled)
        throw new AppError('conflict', 'AUTOMATION_DISABLED', `Automation "${automation.name}" is disabled`);
      const [active] = (await tx.query(
        `SELECT id FROM automation_runs WHERE automation_id = $1 AND incident_id = $2 AND status IN ('queued', 'running')`,
        [automation.id, incidentId],
      )) as Array<{ id: string }>;
      if (active)
        throw new AppError(
          'conflict',
          'RUN_IN_PROGRESS',
          `Run ${active.id} of "${automation.name}" is still in progress`,
        );
      const recent = await this.recentRuns(tx, automation.id, now);
      const guard = checkGuards(
        { maxRunsPerHour: automation.guards.maxRunsPerHour },
        { now, recentRunTimes: recent, occurrenceDecided: false },
      );
      if (!guard.allow) {
        throw new AppError('conflict', 'AUTOMATION_GUARDED', guard.reason);
      }
      const facts = (a: AttachedAlertView) => ({ service: a.service, severity: a.severity, labels: a.labels ?? {} });
      const alert =
        [...alerts].reverse().find((a) => a.status === 'firing' && matches(automation.match, facts(a))) ??
        [...alerts].reverse().find((a) => matches(automation.match, facts(a))) ??
        null;
      if (
        !alert &&
        automation.action.type === 'runner' &&
        Object.values(automation.action.args).some((v) => v.includes('{{'))
      )
        throw new AppError(
          'conflict',
          'NO_MATCHING_ALERT',
          'The incident has no alert this automation matches to fill its arguments from',
        );
      const run = await this.queue(tx, automation, incidentId, alert, actor, now);
      return toRunView(run);
    });
  }

  async runsOf(incidentId: string): Promise<RunView[]> {
    const rows = (await this.db.query(`SELECT * FROM automation_runs WHERE incident_id = $1 ORDER BY queued_at, id`, [
      incidentId,
    ])) as RunRow[];
    return rows.map(toRunView);
  }

  /** Claims the oldest queued run of a type with a lease, and records it started. */
  async claim(
    type: 'webhook' | 'runner',
    lease: number | { marginMs: number },
    runnerId: string | null,
  ): Promise<{ run: RunRow; automation: AutomationRow } | null> {
    const leaseMs = typeof lease === 'number' ? lease : 0;
    return this.db.transaction(async (tx) => {
      let run = rowsOf<RunRow>(
        await tx.query(
          `UPDATE automation_runs SET status = 'running', started_at = now(), runner_id = $2,
             lease_until = now() + make_interval(secs => $3::double precision / 1000)
           WHERE id = (SELECT id FROM automation_runs WHERE status = 'queued' AND action_type = $1
                       ORDER BY queued_at, id FOR NO KEY UPDATE SKIP LOCKED LIMIT 1)
           RETURNING *`,
          [type, runnerId, leaseMs],
        ),
      )[0];
      if (!run) return null;
      if (typeof lease !== 'number') {
        // The lease covers the action's own timeout plus the time to record its result.
        const ms = (durationMs(run.request.timeout) ?? 0) + lease.marginMs;
        run = rowsOf<RunRow>(
          await tx.query(
            `UPDATE automation_runs SET lease_until = started_at + make_interval(secs => $2::double precision / 1000)
             WHERE id = $1 RETURNING *`,
            [run.id, ms],
          ),
        )[0];
      }
      const [automation] = (await tx.query(`SELECT * FROM automations WHERE id = $1`, [
        run.automation_id,
      ])) as AutomationRow[];
      await this.record(
        run.incident_id,
        automation.name,
        tx,
        { type: 'automation.started', data: { automationId: automation.id, name: automation.name, runId: run.id } },
        run.actor,
      );
      await this.timers.cancel(QUEUE_TIMER, run.id, tx);
      await this.timers.schedule(
        {
          kind: LEASE_TIMER,
          key: `${run.id}@${new Date(run.lease_until!).getTime()}`,
          dueAt: new Date(run.lease_until!),
          payload: { runId: run.id },
        },
        tx,
      );
      return { run, automation };
    });
  }

  /** A runner still working on its run: the lease moves on. False when the run is no longer its own. */
  async heartbeat(runId: string, runnerId: string, leaseMs: number): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(
      await this.db.query(
        `UPDATE automation_runs SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
         WHERE id = $1 AND runner_id = $2 AND status = 'running' RETURNING id`,
        [runId, runnerId, leaseMs],
      ),
    );
    return rows.length === 1;
  }

  /** Ends a running run once; false when it already ended (its lease lapsed, or a second report). */
  async finish(runId: string, outcome: Outcome, runnerId: string | null): Promise<boolean> {
    const alertsFor = async (incidentId: string) => this.alertsOf(incidentId).catch(() => [] as AttachedAlertView[]);
    return this.db.transaction(async (tx) => {
      const [run] = (await tx.query(`SELECT * FROM automation_runs WHERE id = $1 FOR NO KEY UPDATE`, [
        runId,
      ])) as RunRow[];
      if (!run || run.status !== 'running' || (runnerId !== null && run.runner_id !== runnerId)) return false;
      await this.end(tx, run, outcome, new Date(), () => alertsFor(run.incident_id));
      return true;
    });
  }

  private async end(
    tx: EntityManager,
    run: RunRow,
    outcome: Outcome,
    now: Date,
    alerts: () => Promise<AttachedAlertView[]>,
  ): Promise<void> {
    const [automation] = (await tx.query(`SELECT * FROM automations WHERE id = $1 FOR NO KEY UPDATE`, [
      run.automation_id,
    ])) as AutomationRow[];
    const result: RunResult = { ...outcome.result, output: boundedOutput(outcome.result.output ?? '') };
    const reason = outcome.ok ? null : (outcome.reason ?? 'failed').slice(0, 1000);
    const verifyDue =
      outcome.ok && automation.verify ? new Date(now.getTime() + (durationMs(automation.verify.within) ?? 0)) : null;
    await tx.query(
      `UPDATE automation_runs SET status = $2, finished_at = $3, result = $4, reason = $5,
         verify_status = $6, verify_due_at = $7 WHERE id = $1`,
      [run.id, outcome.ok ? 'succeeded' : 'failed', now, result, reason, verifyDue ? 'pending' : null, verifyDue],
    );
    const [counter] = (
      await tx.query(
        `UPDATE automations SET consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures + 1 END
       WHERE id = $1 RETURNING consecutive_failures`,
        [automation.id, outcome.ok],
      )
    )[0] as Array<{ consecutive_failures: number }>;
    const ref = { automationId: automation.id, name: automation.name };
    if (outcome.ok) {
      // `resolvesOnVerify` tells the incident that this run's verdict, not the last alert's
      // resolution, resolves it (as automation:<name>); see docs/automations.md.
      const succeeded = { ...ref, runId: run.id, resolvesOnVerify: automation.verify?.resolve === true };
      await this.record(run.incident_id, automation.name, tx, { type: 'automation.succeeded', data: succeeded });
    } else
      await this.record(run.incident_id, automation.name, tx, {
        type: 'automation.failed',
        data: { ...ref, runId: run.id, reason: reason! },
      });
    const started = run.started_at ? new Date(run.started_at).getTime() : now.getTime();
    this.afterCommit.run(tx, () => {
      this.metrics.runs.inc({ automation: automation.name, outcome: outcome.ok ? 'succeeded' : 'failed' });
      this.metrics.duration.observe(
        { automation: automation.name, action: run.action_type },
        Math.max(0, now.getTime() - started) / 1000,
      );
      this.metrics.consecutiveFailures.set({ automation: automation.name }, counter?.consecutive_failures ?? 0);
    });
    if (!outcome.ok && (counter?.consecutive_failures ?? 0) >= 3)
      this.logger.warn(
        { automationId: automation.id, consecutiveFailures: counter.consecutive_failures },
        'An automation keeps failing',
      );
    if (verifyDue) {
      await this.timers.schedule({ kind: VERIFY_TIMER, key: run.id, dueAt: verifyDue, payload: { runId: run.id } }, tx);
      const statuses = (await alerts()).map((a) => a.status);
      if (verifyVerdict(statuses, now, verifyDue) === 'verified')
        await this.verdict(tx, { ...run, verify_status: 'pending' }, automation, 'verified');
    }
  }

  /** An alert of the incident resolved: a pending verification may now hold. */
  async alertResolved(incidentId: string): Promise<void> {
    const pending = (await this.db.query(
      `SELECT id FROM automation_runs WHERE incident_id = $1 AND verify_status = 'pending'`,
      [incidentId],
    )) as Array<{ id: string }>;
    if (pending.length === 0) return;
    const statuses = (await this.alertsOf(incidentId)).map((a) => a.status);
    for (const { id } of pending) {
      await this.db.transaction(async (tx) => {
        const [run] = (await tx.query(`SELECT * FROM automation_runs WHERE id = $1 FOR NO KEY UPDATE`, [
          id,
        ])) as RunRow[];
        if (run?.verify_status !== 'pending') return;
        if (verifyVerdict(statuses, new Date(), new Date(run.verify_due_at!)) !== 'verified') return;
        const [automation] = (await tx.query(`SELECT * FROM automations WHERE id = $1`, [
          run.automation_id,
        ])) as AutomationRow[];
        await this.verdict(tx, run, automation, 'verified');
        await this.timers.cancel(VERIFY_TIMER, run.id, tx);
      });
    }
  }

  private async verdict(
    tx: EntityManager,
    run: RunRow,
    automation: AutomationRow,
    verdict: 'verified' | 'unverified',
  ): Promise<void> {
    await tx.query(`UPDATE automation_runs SET verify_status = $2 WHERE id = $1`, [run.id, verdict]);
    const actor = actorOf(automation.name);
    const ref = { automationId: automation.id, name: automation.name, runId: run.id };
    await this.incidents.act(run.incident_id, { actor, tx }, (incident, ctx) => {
      incident.recordAutomation(
        { type: verdict === 'verified' ? 'automation.verified' : 'automation.unverified', data: ref },
        ctx,
      );
      // Resolution by the automation that fixed it replaces v1's resolve by `system` here.
      if (verdict === 'verified' && automation.verify?.resolve && canTransition(incident.status, 'resolved')) {
        incident.resolve(`Verified by automation ${automation.name}: every alert resolved after its run`, ctx);
      }
    });
    this.afterCommit.run(tx, () => this.metrics.verdicts.inc({ automation: automation.name, verdict }));
  }

  private async verifyWindowEnded(runId: string, tx: EntityManager): Promise<void> {
    const [run] = (await tx.query(`SELECT * FROM automation_runs WHERE id = $1 FOR NO KEY UPDATE`, [
      runId,
    ])) as RunRow[];
    if (run?.verify_status !== 'pending') return;
    const statuses = (await this.alertsOf(run.incident_id)).map((a) => a.status);
    const [automation] = (await tx.query(`SELECT * FROM automations WHERE id = $1`, [
      run.automation_id,
    ])) as AutomationRow[];
    const verdict =
      verifyVerdict(statuses, new Date(), new Date(run.verify_due_at!)) === 'verified' ? 'verified' : 'unverified';
    await this.verdict(tx, run, automation, verdict);
  }

  private async leaseLapsed(runId: string, tx: EntityManager): Promise<void> {
    const [run] = (await tx.query(`SELECT * FROM automation_runs WHERE id = $1 FOR NO KEY UPDATE`, [
      runId,
    ])) as RunRow[];
    if (run?.status !== 'running') return;
    const leaseUntil = new Date(run.lease_until!);
    if (leaseUntil.getTime() > Date.now()) {
      // Heartbeats moved the lease on: look again when the new one lapses.
      await this.timers.schedule(
        { kind: LEASE_TIMER, key: `${run.id}@${leaseUntil.getTime()}`, dueAt: leaseUntil, payload: { runId } },
        tx,
      );
      return;
    }
    const who =
      run.action_type === 'runner'
        ? 'the runner stopped reporting (it may have died mid-run)'
        : 'the instance running it stopped';
    await this.end(
      tx,
      run,
      { ok: false, result: { output: run.result?.output ?? '' }, reason: `lease expired: ${who}; not retried` },
      new Date(),
      async () => [],
    );
  }

  private async queueLapsed(runId: string, tx: EntityManager): Promise<void> {
    const [run] = (await tx.query(`SELECT * FROM automation_runs WHERE id = $1 FOR NO KEY UPDATE`, [
      runId,
    ])) as RunRow[];
    if (run?.status !== 'queued') return;
    await tx.query(`UPDATE automation_runs SET status = 'running', started_at = now() WHERE id = $1`, [runId]);
    await this.end(
      tx,
      { ...run, status: 'running' },
      { ok: false, result: { output: '' }, reason: `no runner claimed the run within ${QUEUE_LIMIT}` },
      new Date(),
      async () => [],
    );
  }

  /** Inserts a queued run (or a failed one when its arguments cannot be filled). */
  private async queue(
    tx: EntityManager,
    automation: AutomationRow,
    incidentId: string,
    alert: AttachedAlertView | null,
    actor: string,
    now: Date,
  ): Promise<RunRow> {
    const id = randomUUID();
    let request: RunRequest;
    let failure: string | null = null;
    if (automation.action.type === 'webhook') {
      request = { type: 'webhook', url: automation.action.url, timeout: automation.action.timeout };
    } else {
      const rendered = renderArgs(automation.action.args, alert?.labels ?? {});
      if (!rendered.ok) failure = rendered.reason;
      request = {
        type: 'runner',
        script: automation.action.script,
        args: rendered.ok ? rendered.args : {},
        timeout: automation.action.timeout,
      };
    }
    const [run] = (await tx.query(
      `INSERT INTO automation_runs (id, automation_id, incident_id, alert_id, action_type, request, actor, status, queued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8) RETURNING *`,
      [id, automation.id, incidentId, alert?.alertId ?? null, request.type, request, actor, now],
    )) as RunRow[];
    if (failure) {
      await tx.query(`UPDATE automation_runs SET status = 'running', started_at = $2 WHERE id = $1`, [id, now]);
      await this.end(
        tx,
        { ...run, status: 'running', started_at: now },
        { ok: false, result: { output: '' }, reason: failure },
        now,
        async () => [],
      );
      return ((await tx.query(`SELECT * FROM automation_runs WHERE id = $1`, [id])) as RunRow[])[0];
    }
    if (request.type === 'runner') {
      const dueAt = new Date(now.getTime() + durationMs(QUEUE_LIMIT)!);
      await this.timers.schedule({ kind: QUEUE_TIMER, key: id, dueAt, payload: { runId: id } }, tx);
    }
    this.afterCommit.run(tx, () => this.queuedListeners.forEach((l) => l()));
    return run;
  }

  private async recentRuns(tx: EntityManager, automationId: string, now: Date): Promise<Date[]> {
    const rows = (await tx.query(
      `SELECT queued_at FROM automation_runs WHERE automation_id = $1 AND queued_at > $2::timestamptz - interval '1 hour'`,
      [automationId, now],
    )) as Array<{ queued_at: Date }>;
    return rows.map((r) => new Date(r.queued_at));
  }

  private async remember(
    tx: EntityManager,
    automationId: string,
    occurrence: string,
    incidentId: string,
    decision: Decision['decision'],
    runId: string | null,
    reason: string | null,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO automation_occurrences (automation_id, occurrence, incident_id, decision, run_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [automationId, occurrence, incidentId, decision, runId, reason],
    );
  }

  private async record(
    incidentId: string,
    name: string,
    tx: EntityManager,
    event: Pick<AutomationEvent, 'type' | 'data'>,
    actor = actorOf(name),
  ): Promise<void> {
    await this.incidents.act(incidentId, { actor, tx }, (incident, ctx) => incident.recordAutomation(event, ctx));
  }

  private count(tx: EntityManager, automation: string, outcome: string): void {
    this.afterCommit.run(tx, () => this.metrics.runs.inc({ automation, outcome }));
  }
}
