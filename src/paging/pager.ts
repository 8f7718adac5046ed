import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import {
  IncidentCommands,
  IncidentNotFound,
  IncidentStatus,
  IncidentView,
  PageMethod,
  ResponderDirectory,
  Severity,
} from '../incidents';
import { NotificationJobs } from '../notifications';
import { OnCallDirectory } from '../oncall';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { Timer, Timers } from '../platform/timers';
import { AckTokens } from './ack-tokens';
import type { PagePolicy } from './domain/policy';
import { nextStep, notificationsFor, PageTrigger, ResolvedStep, startsPage, StepPosition } from './domain/step-machine';
import { channelPageMessage, pageMessage, PageFacts } from './page-messages';
import { PagingMetrics } from './paging.metrics';
import { rowsOf } from './persistence/rows';
import { Services } from './policies/services';

export const PAGE_STEP_TIMER = 'paging.step';
export const PAGE_NOTIFY_TIMER = 'paging.notify';

interface StepPayload {
  pageId: string;
  step: number;
  round: number;
}

interface NotifyPayload extends StepPayload {
  handle: string;
  method: PageMethod;
  token: string;
}

type SnapshotPolicy = PagePolicy & { name: string };

interface PageRow {
  id: string;
  incident_id: string;
  policy_id: string;
  policy: SnapshotPolicy;
  status: 'active' | 'ended' | 'exhausted';
  step: number | null;
  round: number | null;
  paged: boolean;
  started_at: Date;
}

const ALL_METHODS: PageMethod[] = ['email', 'slack', 'sms', 'voice'];
/** A declaration replayed from long ago (a new consumer group reading history) pages nobody. */
const STALE_TRIGGER_MS = 24 * 3_600_000;

export function isStaleTrigger(occurredAt: Date, now: Date): boolean {
  return now.getTime() - occurredAt.getTime() > STALE_TRIGGER_MS;
}

/**
 * Runs pages. Every effect happens in the transaction of what caused it — the paging
 * consumer's for a page's start, the step timer's for each later step — so a step's timeline
 * entry, its notification jobs (idempotent keys), its acknowledge tokens and the next step's
 * timer commit together or not at all: a restart or a second instance notifies nobody twice
 * and loses no step. Each step checks the incident under its row lock first: once it is
 * acknowledged, mitigated or resolved, nobody is notified.
 */
@Injectable()
export class Pager {
  constructor(
    private readonly incidents: IncidentCommands,
    private readonly directory: ResponderDirectory,
    private readonly onCall: OnCallDirectory,
    private readonly services: Services,
    private readonly jobs: NotificationJobs,
    private readonly timers: Timers,
    private readonly tokens: AckTokens,
    private readonly metrics: PagingMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    timers.register<StepPayload>(PAGE_STEP_TIMER, { fire: (timer, tx) => this.fireStep(timer, tx) });
    timers.register<NotifyPayload>(PAGE_NOTIFY_TIMER, { fire: (timer, tx) => this.fireNotify(timer, tx) });
  }

  /** An incident event that may start a page (declared, reopened, severity changed). */
  async consider(
    tx: EntityManager,
    event: {
      incidentId: string;
      seq: number;
      occurredAt: Date;
      trigger: 'declared' | 'reopened' | 'severity_changed';
      from?: string;
    },
    now: Date,
  ): Promise<void> {
    if (isStaleTrigger(event.occurredAt, now)) return;
    const incident = await this.current(event.incidentId, tx);
    if (!incident) return;
    const policy = await this.services.policyFor(incident.service, tx);
    if (!policy) return;
    const severity = incident.severity as Severity;
    const status = incident.status as IncidentStatus;
    const trigger: PageTrigger =
      event.trigger === 'severity_changed'
        ? { type: 'severity_raised', from: (event.from ?? severity) as Severity, severity, status }
        : { type: event.trigger, severity, status };
    if (!startsPage(trigger, policy.urgentSeverities)) return;
    const snapshot: SnapshotPolicy = {
      id: policy.id,
      name: policy.name,
      repeat: policy.repeat,
      urgentSeverities: policy.urgentSeverities,
      steps: policy.steps,
    };
    const [row] = (await tx.query(
      `INSERT INTO pages (id, incident_id, trigger_seq, policy_id, policy, status, started_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, 'active', $6)
       ON CONFLICT DO NOTHING RETURNING *`,
      [randomUUID(), incident.id, event.seq, policy.id, JSON.stringify(snapshot), now],
    )) as PageRow[];
    if (!row) return; // this event started one already, or a page is running
    this.metrics.pagesStarted.inc({ policy: policy.id });
    this.logger.info({ incidentId: incident.id, pageId: row.id, policyId: policy.id }, 'Page started');
    await this.advance(tx, row, null, incident, now);
  }

  /** The incident was acknowledged, mitigated or resolved: its page ends (timers find it ended). */
  async end(tx: EntityManager, incidentId: string, reason: string, at: Date): Promise<void> {
    const ended = rowsOf<{ id: string; step: number | null; round: number | null }>(
      await tx.query(
        `UPDATE pages SET status = 'ended', ended_at = $2, end_reason = $3 WHERE incident_id = $1 AND status = 'active'
         RETURNING id, step, round`,
        [incidentId, at, reason],
      ),
    );
    for (const page of ended) {
      if (page.step !== null)
        await this.timers.cancel(PAGE_STEP_TIMER, stepKey(page.id, { step: page.step, round: page.round ?? 1 }), tx);
    }
    if (reason !== 'acknowledged') return;
    // Time to acknowledge counts once per page, whoever ended it first (this event or a step timer).
    const acked = rowsOf<{ policy_id: string; started_at: Date }>(
      await tx.query(
        `UPDATE pages SET acknowledged_at = $2 WHERE id = (
           SELECT id FROM pages WHERE incident_id = $1 AND started_at <= $2 ORDER BY started_at DESC LIMIT 1)
         AND acknowledged_at IS NULL AND paged RETURNING policy_id, started_at`,
        [incidentId, at],
      ),
    );
    for (const page of acked) {
      this.metrics.timeToAcknowledge.observe(
        { policy: page.policy_id },
        Math.max(0, (at.getTime() - page.started_at.getTime()) / 1000),
      );
    }
  }

  /** A page notification's job ended: the timeline says so as `page.sent` / `page.failed`. */
  async recordOutcome(
    tx: EntityManager,
    incidentId: string,
    outcome: { status: 'sent' | 'failed'; responder: string; method: PageMethod; reason?: string },
  ): Promise<void> {
    try {
      await this.incidents.act(incidentId, { actor: 'system', tx }, (incident, ctx) =>
        incident.recordPageOutcome(
          { ...outcome, reason: outcome.status === 'failed' ? outcome.reason || 'not delivered' : undefined },
          ctx,
        ),
      );
    } catch (error) {
      if (!(error instanceof IncidentNotFound)) throw error;
    }
  }

  private async fireStep(timer: Timer<StepPayload>, tx: EntityManager): Promise<void> {
    const page = await this.lockPage(tx, timer.payload.pageId);
    if (!page || page.status !== 'active' || page.step !== timer.payload.step || page.round !== timer.payload.round)
      return;
    const incident = await this.current(page.incident_id, tx);
    if (!incident) return;
    await this.advance(tx, page, { step: page.step, round: page.round }, incident, new Date());
  }

  /** A notification rule's later method: sent only while the page is still running. */
  private async fireNotify(timer: Timer<NotifyPayload>, tx: EntityManager): Promise<void> {
    const { pageId, handle, method, token } = timer.payload;
    const page = await this.lockPage(tx, pageId);
    if (!page || page.status !== 'active') return;
    const incident = await this.current(page.incident_id, tx);
    if (!incident) return;
    if (incident.status !== 'triggered') {
      await this.end(tx, incident.id, incident.status, new Date());
      return;
    }
    const responder = await this.directory.find(handle);
    if (!responder) return;
    await this.notify(
      tx,
      page,
      { step: timer.payload.step, round: timer.payload.round },
      incident,
      handle,
      method,
      addressOf(responder, method),
      token,
    );
  }

  private async advance(
    tx: EntityManager,
    page: PageRow,
    from: StepPosition | null,
    incident: IncidentView,
    now: Date,
  ): Promise<void> {
    const policy = page.policy;
    const resolved = await this.resolveSteps(policy, now);
    const decision = nextStep({ policy, from, resolved, status: incident.status as IncidentStatus, now });
    if (decision.kind === 'stop') {
      // Ended here before the consumer saw the event: time to acknowledge still counts to the acknowledgement.
      await this.end(
        tx,
        incident.id,
        decision.status,
        incident.acknowledgedAt ? new Date(incident.acknowledgedAt) : now,
      );
      return;
    }
    if (decision.kind === 'exhausted') {
      await tx.query(`UPDATE pages SET status = 'exhausted', ended_at = $2, end_reason = 'exhausted' WHERE id = $1`, [
        page.id,
        now,
      ]);
      await this.incidents.act(incident.id, { actor: 'system', tx }, (i, ctx) => i.recordPageExhausted(policy.id, ctx));
      this.logger.warn(
        { incidentId: incident.id, pageId: page.id, policyId: policy.id },
        'Page exhausted: nobody acknowledged',
      );
      return;
    }
    const { position, targets } = decision;
    await this.incidents.act(incident.id, { actor: 'system', tx }, (i, ctx) =>
      page.paged
        ? i.recordEscalationStep({ policyId: policy.id, ...position }, ctx)
        : i.recordPage(
            { policyId: policy.id, ...position, responders: targets.responders, channels: targets.channels },
            ctx,
          ),
    );
    await tx.query(`UPDATE pages SET step = $2, round = $3, paged = true WHERE id = $1`, [
      page.id,
      position.step,
      position.round,
    ]);
    const facts: PageFacts = { incident, position, policyName: policy.name, publicUrl: this.config.publicUrl };
    const enabled = ALL_METHODS.filter((m) => this.jobs.canSend(m));
    for (const handle of targets.responders) {
      const responder = await this.directory.find(handle);
      const planned = responder ? notificationsFor(responder, responder.notificationRules, enabled) : [];
      if (!responder || planned.length === 0) {
        this.metrics.notifications.inc({ method: 'none', outcome: 'unreachable' });
        this.logger.warn(
          { incidentId: incident.id, responder: handle },
          'A paged responder has no contact method that is on',
        );
        continue;
      }
      const token = await this.tokens.issue(tx, { pageId: page.id, incidentId: incident.id, responder: handle });
      for (const { method, afterMs } of planned) {
        if (afterMs === 0) {
          await this.notify(tx, page, position, incident, handle, method, addressOf(responder, method), token);
          continue;
        }
        const payload: NotifyPayload = { pageId: page.id, ...position, handle, method, token };
        await this.timers.schedule(
          {
            kind: PAGE_NOTIFY_TIMER,
            key: `${notifyKey(page.id, position, handle, method)}@${afterMs}`,
            dueAt: new Date(now.getTime() + afterMs),
            payload,
          },
          tx,
        );
      }
    }
    for (const channel of targets.channels) {
      await this.jobs.enqueue(tx, {
        key: `paging:${page.id}:${position.round}:${position.step}:channel:${channel}`,
        channel: 'slack',
        to: channel,
        message: channelPageMessage(facts, targets.responders),
        incidentId: incident.id,
      });
    }
    const payload: StepPayload = { pageId: page.id, ...position };
    await this.timers.schedule(
      { kind: PAGE_STEP_TIMER, key: stepKey(page.id, position), dueAt: decision.nextDueAt, payload },
      tx,
    );
  }

  private async notify(
    tx: EntityManager,
    page: PageRow,
    position: StepPosition,
    incident: IncidentView,
    handle: string,
    method: PageMethod,
    to: string | null,
    token: string,
  ): Promise<void> {
    if (!to) return;
    const key = notifyKey(page.id, position, handle, method);
    const facts: PageFacts = { incident, position, policyName: page.policy.name, publicUrl: this.config.publicUrl };
    const fresh = await this.jobs.enqueue(tx, {
      key,
      channel: method,
      to,
      message: pageMessage(method, facts, `${this.config.publicUrl}/ack/${token}`),
      incidentId: incident.id,
      recipientLabel: handle,
    });
    if (!fresh) return;
    await tx.query(
      `INSERT INTO page_notifications (job_key, page_id, incident_id, responder, method) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [key, page.id, incident.id, handle, method],
    );
    this.metrics.notifications.inc({ method, outcome: 'queued' });
  }

  /** Each step's targets as people and channels now: a schedule is whoever is on call now. */
  private async resolveSteps(policy: PagePolicy, now: Date): Promise<ResolvedStep[]> {
    const steps: ResolvedStep[] = [];
    for (const step of policy.steps) {
      const responders = new Set<string>();
      const channels = new Set<string>();
      for (const target of step.targets) {
        if (target.type === 'responder') responders.add(target.handle);
        else if (target.type === 'slack_channel') channels.add(target.channel);
        else {
          const handle = await this.onCall.whoIsOnCall(target.scheduleId, now);
          if (handle) responders.add(handle);
        }
      }
      steps.push({ responders: [...responders], channels: this.jobs.canSend('slack') ? [...channels] : [] });
    }
    return steps;
  }

  private async lockPage(tx: EntityManager, pageId: string): Promise<PageRow | undefined> {
    const [row] = (await tx.query(`SELECT * FROM pages WHERE id = $1 FOR UPDATE`, [pageId])) as PageRow[];
    return row;
  }

  /** The incident as it is now, under its row lock for the rest of `tx` (undefined: gone). */
  private async current(incidentId: string, tx: EntityManager): Promise<IncidentView | undefined> {
    try {
      return (await this.incidents.act(incidentId, { actor: 'system', tx }, () => undefined)).incident;
    } catch (error) {
      if (error instanceof IncidentNotFound) return undefined;
      throw error;
    }
  }
}

function stepKey(pageId: string, position: StepPosition): string {
  return `${pageId}:${position.round}:${position.step}`;
}

/** One notification per page, round, step, person and method: the job's idempotency key. */
function notifyKey(pageId: string, position: StepPosition, handle: string, method: PageMethod): string {
  return `paging:${pageId}:${position.round}:${position.step}:${method}:${handle}`;
}

function addressOf(
  responder: { email: string | null; slackUserId: string | null; phone: string | null },
  method: PageMethod,
): string | null {
  switch (method) {
    case 'email':
      return responder.email;
    case 'slack':
      return responder.slackUserId;
    default:
      return responder.phone;
  }
}
