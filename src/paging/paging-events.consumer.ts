import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PageHolds } from '../automations';
import {
  IncidentEventConsumer,
  OFF_LIVE_PATH_WINDOW_MS,
  IncidentEventMessage,
  IncidentEventStream,
  isSeverity,
  isWorse,
  PageMethod,
} from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { isStaleTrigger, Pager } from './pager';
import { rowsOf } from './persistence/rows';
import { PagingMetrics } from './paging.metrics';

const PAGE_METHODS = new Set<string>(['email', 'slack', 'sms', 'voice']);

interface BatchScope {
  anyPolicy: boolean;
  /** Whether an automation could hold a page, asked at the batch's first declaration. */
  canHold?: boolean;
  /** Incidents with a page row (any status), plus any a `consider` of this batch may have paged. */
  paged: Set<string>;
}

/**
 * Paging's own consumer group on the incident-event stream. Declared, reopened and raised to
 * a worse severity may start a page; acknowledged, mitigated and resolved end it; the outcome
 * of a page's notification job (`notification.sent` / `notification.failed` labelled with the
 * responder) becomes `page.sent` / `page.failed`. Each event is applied with the incident's
 * cursor in the batch's transaction, so a redelivered event changes nothing twice.
 *
 * Automation before people: a declaration whose alert an `auto` automation with `verify` runs
 * on starts no page; the page waits for that run's verdict (`PageHolds`). Verified stands it
 * down for good; failed or unverified starts it at once, as the declaration would have. While
 * held, a raise of severity starts nothing either (the verdict pages at the severity then).
 */
@Injectable()
export class PagingEventsConsumer extends IncidentEventConsumer {
  constructor(
    stream: IncidentEventStream,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly db: DataSource,
    private readonly pager: Pager,
    private readonly holds: PageHolds,
    private readonly metrics: PagingMetrics,
  ) {
    super(stream, {
      group: 'sitrep-paging',
      fromBeginning: true,
      maxWaitMs: 100,
      batchWindowMs: OFF_LIVE_PATH_WINDOW_MS,
    });
  }

  /**
   * One transaction per batch: under a storm a transaction per event was most of paging's cost.
   * Incidents are taken in id order (each one's events in seq order), the order an alert batch
   * locks incident rows in too, so the two cannot deadlock on them.
   */
  async handleEvents(events: IncidentEventMessage[]): Promise<void> {
    const relevant = events
      .filter(matters)
      .sort((a, b) => (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : a.seq - b.seq));
    if (relevant.length === 0) return;
    const incidentIds = [...new Set(relevant.map((e) => e.incidentId))]; // in id order
    await this.db.transaction(async (tx) => {
      // Each incident's cursor row, created if new and locked for the batch (in id order).
      const cursors = new Map(
        rowsOf<{ incident_id: string; last_seq: number }>(
          await tx.query(
            `INSERT INTO paging_event_cursor (incident_id, last_seq) SELECT unnest($1::uuid[]), 0
             ON CONFLICT (incident_id) DO UPDATE SET last_seq = paging_event_cursor.last_seq
             RETURNING incident_id, last_seq`,
            [incidentIds],
          ),
        ).map((r) => [r.incident_id, r.last_seq]),
      );
      const scope = await this.scope(tx, incidentIds);
      const applied = new Map<string, number>();
      for (const event of relevant) {
        if (event.seq <= (applied.get(event.incidentId) ?? cursors.get(event.incidentId) ?? 0)) continue; // a redelivery
        await this.apply(tx, event, scope);
        applied.set(event.incidentId, event.seq);
      }
      if (applied.size > 0) {
        await tx.query(
          `UPDATE paging_event_cursor AS c SET last_seq = x.seq
           FROM unnest($1::uuid[], $2::int[]) AS x(incident_id, seq) WHERE c.incident_id = x.incident_id`,
          [[...applied.keys()], [...applied.values()]],
        );
      }
    });
  }

  /**
   * What a batch needs to know before any event: whether a page can start at all (some
   * escalation policy exists; without one `consider` finds none) and which incidents have
   * pages to end. A storm with no policy, or commands on incidents never paged, then costs
   * the batch a few statements, not several per event.
   */
  private async scope(tx: EntityManager, incidentIds: string[]): Promise<BatchScope> {
    const [row] = rowsOf<{ any_policy: boolean; paged: string[] }>(
      await tx.query(
        `SELECT EXISTS (SELECT 1 FROM escalation_policies) AS any_policy,
                ARRAY(SELECT DISTINCT incident_id FROM pages WHERE incident_id = ANY($1::uuid[]))::text[] AS paged`,
        [incidentIds],
      ),
    );
    return { anyPolicy: row.any_policy, paged: new Set(row.paged) };
  }

  private async consider(tx: EntityManager, scope: BatchScope, event: Parameters<Pager['consider']>[1]): Promise<void> {
    if (!scope.anyPolicy) return;
    await this.pager.consider(tx, event, new Date());
    scope.paged.add(event.incidentId); // it may have started one, which a later event of the batch ends
  }

  private async end(tx: EntityManager, scope: BatchScope, incidentId: string, reason: string, at: Date): Promise<void> {
    if (scope.paged.has(incidentId)) await this.pager.end(tx, incidentId, reason, at);
  }

  private async apply(tx: EntityManager, event: IncidentEventMessage, scope: BatchScope): Promise<void> {
    const occurredAt = new Date(event.occurredAt);
    switch (event.type) {
      case 'incident.declared':
        // A replayed old declaration pages nobody, so it must not queue an automation run either.
        if (isStaleTrigger(occurredAt, new Date())) break;
        scope.canHold ??= await this.holds.anyCanHold(tx);
        if (scope.canHold && (await this.holds.holdFor(event.incidentId, tx))) {
          this.metrics.holds.inc({ outcome: 'held' });
          this.logger.info({ incidentId: event.incidentId }, "Page held for an automation's verdict");
          break;
        }
        await this.consider(tx, scope, {
          incidentId: event.incidentId,
          seq: event.seq,
          occurredAt,
          trigger: 'declared',
        });
        break;
      case 'automation.verified':
      case 'automation.failed':
      case 'automation.unverified':
      case 'automation.skipped': {
        const verdict = await this.holds.verdict(event, tx);
        if (verdict) this.metrics.holds.inc({ outcome: verdict === 'stand-down' ? 'stood_down' : 'paged' });
        if (verdict === 'stand-down') {
          this.logger.info({ incidentId: event.incidentId }, 'Held page stood down: the automation fixed it');
        } else if (verdict === 'page') {
          // Started at once, as the declaration would have, at the incident's severity now.
          await this.consider(tx, scope, {
            incidentId: event.incidentId,
            seq: event.seq,
            occurredAt,
            trigger: 'declared',
          });
        }
        break;
      }
      case 'incident.reopened':
        await this.consider(tx, scope, {
          incidentId: event.incidentId,
          seq: event.seq,
          occurredAt,
          trigger: 'reopened',
        });
        break;
      case 'incident.severity_changed':
        if (await this.holds.isHeld(event.incidentId, tx)) break;
        await this.consider(tx, scope, {
          incidentId: event.incidentId,
          seq: event.seq,
          occurredAt,
          trigger: 'severity_changed',
          from: event.data.from,
        });
        break;
      case 'incident.acknowledged':
        await this.end(tx, scope, event.incidentId, 'acknowledged', occurredAt);
        break;
      case 'incident.mitigated':
        await this.end(tx, scope, event.incidentId, 'mitigated', occurredAt);
        break;
      case 'incident.resolved':
        await this.end(tx, scope, event.incidentId, 'resolved', occurredAt);
        break;
      case 'notification.sent':
      case 'notification.failed':
        await this.outcome(tx, event.incidentId, event.type === 'notification.sent' ? 'sent' : 'failed', event.data);
        break;
    }
  }

  /** The oldest page notification waiting for this responder and method gets the outcome. */
  private async outcome(
    tx: EntityManager,
    incidentId: string,
    status: 'sent' | 'failed',
    data: { channel: string; recipient: string; reason?: string },
  ): Promise<void> {
    if (!PAGE_METHODS.has(data.channel)) return;
    const [row] = rowsOf<{ job_key: string }>(
      await tx.query(
        `UPDATE page_notifications SET status = $4 WHERE job_key = (
           SELECT job_key FROM page_notifications WHERE incident_id = $1 AND responder = $2 AND method = $3 AND status = 'pending'
           ORDER BY created_at, job_key LIMIT 1 FOR UPDATE)
         RETURNING job_key`,
        [incidentId, data.recipient, data.channel, status],
      ),
    );
    if (!row) return; // not a page's notification
    const method = data.channel as PageMethod;
    this.metrics.notifications.inc({ method, outcome: status });
    await this.pager.recordOutcome(tx, incidentId, { status, responder: data.recipient, method, reason: data.reason });
  }
}

function matters(event: IncidentEventMessage): boolean {
  switch (event.type) {
    case 'incident.severity_changed':
      return isSeverity(event.data.from) && isSeverity(event.data.to) && isWorse(event.data.to, event.data.from);
    case 'incident.declared':
    case 'incident.reopened':
    case 'incident.acknowledged':
    case 'incident.mitigated':
    case 'incident.resolved':
    case 'notification.sent':
    case 'notification.failed':
    case 'automation.verified':
    case 'automation.failed':
    case 'automation.unverified':
    case 'automation.skipped':
      return true;
    default:
      return false;
  }
}
