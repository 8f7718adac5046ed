import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_ACTOR } from '../../incidents';
import type { CommandContext, Incident } from '../../incidents';
import { applyOps } from '../domain/apply-ops';
import { IncidentCommands, IncidentLookups } from '../../incidents';
import type { IncomingMessage } from '../../platform/messaging/message-transport';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { AlertMessage, AlertMessageError, ChangeMessage, decodeAlertMessage } from '../alert-message';
import { AlertMetrics } from '../alerts.metrics';
import { boundedKey, truncate } from '../payload-hygiene';
import {
  AlertBatchPlan,
  AlertRowWrite,
  CHANGE_WINDOW_MS,
  HeldAlert,
  HeldDeclaration,
  incidentService,
  IncidentPlan,
  StoredAlert,
} from '../domain/alert-batch-plan';
import type { ActiveWindow } from '../domain/maintenance-window';
import { MaintenanceMetrics } from '../maintenance/maintenance.metrics';

/** processed_deliveries rows older than this are pruned (PagerDuty retries for 48 h). */
const DELIVERY_RETENTION = '7 days';
const PRUNE_EVERY_MS = 60 * 60 * 1000;

const ALERT_COLUMNS = `id uuid, integration_id uuid, source text, identity text, occurrence text, group_key text,
  status text, severity text, summary text, description text, runbook_url text, generator_url text, service text,
  labels jsonb, annotations jsonb, links jsonb, details jsonb, delivery jsonb, starts_at timestamptz,
  ends_at timestamptz, incident_id uuid, first_seen_at timestamptz, last_seen_at timestamptz, resolved_at timestamptz,
  held_by uuid, held_incident jsonb`;
/** Scalar columns travel as typed arrays (unnest); the jsonb ones as one JSON array per row. */
const SCALAR_COLUMNS = ALERT_COLUMNS.split(',')
  .map((c) => c.trim().split(/\s+/))
  .filter(([, type]) => type !== 'jsonb') as Array<[keyof AlertRowWrite, string]>;
const JSON_COLUMNS = ['labels', 'annotations', 'links', 'details', 'delivery', 'held_incident'] as const;
/** held_incident is the one nullable JSON column: a JSON null is stored as SQL NULL. */
const jsonValue = (name: string, i: number) =>
  name === 'held_incident' ? `NULLIF(j.v->${i}, 'null'::jsonb)` : `j.v->${i}`;
const INSERT_ALERTS = `
  WITH inserted AS (
    INSERT INTO alerts (${SCALAR_COLUMNS.map(([name]) => name).join(', ')}, ${JSON_COLUMNS.join(', ')})
    SELECT ${SCALAR_COLUMNS.map(([name]) => `s.${name}`).join(', ')}, ${JSON_COLUMNS.map(jsonValue).join(', ')}
    FROM unnest(${SCALAR_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
           WITH ORDINALITY AS s(${SCALAR_COLUMNS.map(([name]) => name).join(', ')}, ord)
    JOIN jsonb_array_elements($${SCALAR_COLUMNS.length + 1}::jsonb) WITH ORDINALITY AS j(v, ord) USING (ord)
    ON CONFLICT (integration_id, occurrence) DO NOTHING
    RETURNING 1)
  SELECT count(*)::int AS inserted FROM inserted`;

function insertParams(rows: AlertRowWrite[]): unknown[] {
  const params: unknown[] = SCALAR_COLUMNS.map(([name]) => rows.map((row) => row[name]));
  params.push(JSON.stringify(rows.map((row) => JSON_COLUMNS.map((name) => row[name]))));
  return params;
}

interface AlertStateRow {
  id: string;
  integration_id: string;
  source: string;
  identity: string;
  occurrence: string;
  group_key: string;
  status: 'firing' | 'resolved';
  severity: StoredAlert['severity'];
  incident_id: string | null;
}

/** A concurrent writer (another instance, during a rebalance) inserted the same occurrence first. */
class ConcurrentAlertWrite extends Error {
  constructor(expected: number, inserted: number) {
    super(`Expected to insert ${expected} alert rows but ${inserted} were new; another consumer got there first`);
    this.name = 'ConcurrentAlertWrite';
  }
}

function toStored(row: AlertStateRow): StoredAlert {
  return {
    id: row.id,
    integrationId: row.integration_id,
    source: row.source,
    identity: row.identity,
    occurrence: row.occurrence,
    groupKey: row.group_key,
    status: row.status,
    severity: row.severity,
    incidentId: row.incident_id,
  };
}

/**
 * Applies batches of the alerts topic to PostgreSQL: one transaction per batch holding the
 * delivery dedupe, the alert rows (multi-row writes) and every incident command (one load and
 * one append per incident). The transport commits offsets only after this resolves; a throw
 * makes it deliver the batch again, and everything here is idempotent.
 */
@Injectable()
export class AlertBatchProcessor {
  private lastPrune = 0;

  constructor(
    private readonly db: DataSource,
    private readonly incidents: IncidentCommands,
    private readonly lookups: IncidentLookups,
    private readonly metrics: AlertMetrics,
    private readonly maintenance: MaintenanceMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async handleBatch(records: IncomingMessage[]): Promise<void> {
    const messages: AlertMessage[] = [];
    for (const record of records) {
      try {
        messages.push(decodeAlertMessage(record.value));
      } catch (error) {
        if (!(error instanceof AlertMessageError)) throw error;
        // Not ours to apply (a foreign or future producer): retrying would never succeed.
        this.metrics.undecodable.inc();
        this.logger.error(
          { err: error, topic: record.topic, partition: record.partition, offset: record.offset, key: record.key },
          'Alert record cannot be decoded; skipped',
        );
      }
    }
    this.metrics.batchMessages.observe(records.length);
    if (messages.length === 0) return;
    const alerts = messages.reduce((n, m) => n + m.signals.length, 0);
    this.metrics.batchAlerts.observe(alerts);

    const stop = this.metrics.batchDuration.startTimer();
    let plan: AlertBatchPlan;
    try {
      plan = await this.db.transaction((tx) => this.apply(tx, messages));
    } catch (error) {
      this.metrics.consumerFailures.inc();
      this.logger.error(
        {
          err: error,
          records: records.length,
          alerts,
          partition: records[0].partition,
          firstOffset: records[0].offset,
          lastOffset: records[records.length - 1].offset,
          groups: [...new Set(messages.map((m) => truncate(m.groupKey, 200)))].slice(0, 20),
          deliveries: messages.flatMap((m) => (m.deliveryId ? [truncate(m.deliveryId, 200)] : [])).slice(0, 20),
          requests: messages.map((m) => m.requestId).slice(0, 20),
        },
        'Alert batch could not be applied; the transport delivers it again',
      );
      throw error;
    } finally {
      stop();
    }
    for (const [transition, n] of plan.counts) this.metrics.applied.inc({ transition }, n);
    const held = plan.inserts.filter((row) => row.held_by !== null).length;
    if (held > 0) this.maintenance.held.inc(held);
    const newest = Math.max(...records.map((r) => r.timestamp).filter(Number.isFinite));
    if (Number.isFinite(newest)) this.metrics.consumerLag.set(Math.max(0, (Date.now() - newest) / 1000));
    for (const skipped of plan.skipped) this.logger.info(skipped, 'Alert message refers to nothing open; ignored');
    this.logger.debug(
      {
        records: records.length,
        alerts,
        incidents: plan.plans.size,
        inserted: plan.inserts.length,
        updated: plan.updates.length,
      },
      'Alert batch applied',
    );
    await this.pruneDeliveries();
  }

  private async apply(tx: EntityManager, all: AlertMessage[]): Promise<AlertBatchPlan> {
    const now = new Date();
    const messages = await this.freshDeliveries(tx, all);

    const occurrences: Array<[string, string]> = [];
    const identities: Array<[string, string]> = [];
    const groups = new Set<string>();
    const services = new Set<string>();
    for (const m of messages) {
      if (m.kind === 'signals') {
        groups.add(m.groupKey);
        for (const s of m.signals) {
          const service = incidentService(m, s);
          if (service !== null) services.add(service);
          if (m.source === 'pagerduty-events') identities.push([m.integrationId, s.identity]);
          else occurrences.push([m.integrationId, boundedKey(s.occurrence)]);
        }
      } else if (m.kind === 'pd-action') {
        identities.push([m.integrationId, m.meta.dedupKey]);
      } else if (m.kind === 'pd-annotation') {
        occurrences.push([m.integrationId, boundedKey(m.meta.incidentId)]);
      }
    }
    // One connection, so one query at a time. Windows first, then the alert rows (locked), then
    // the groups: the order a window's release takes its locks in too.
    const windows = await this.windowsInForce(tx, [...services], now);
    const existing = await this.loadOccurrences(tx, occurrences);
    const latest = await this.loadEventsLatest(tx, identities);
    const groupIncidents = await this.lookups.groupIncidents(tx, [...groups]);

    const plan = new AlertBatchPlan(existing, latest, groupIncidents, { now, newId: randomUUID, windows });
    for (const message of messages) {
      if (message.kind === 'change') await this.storeChange(tx, message, plan);
      else plan.apply(message);
    }
    await this.correlateDeclared(tx, plan, now);

    await this.writeAlerts(tx, plan, now);
    await this.runPlans(tx, [...plan.plans.values()]);
    return plan;
  }

  /**
   * The maintenance windows covering any of `services` at `now`, share-locked: a window's
   * release (or DELETE) waits for this batch, so an alert held here is never left behind by a
   * release that committed first; a window ended or released before is not in force.
   */
  private async windowsInForce(
    tx: EntityManager,
    services: string[],
    now: Date,
    except?: string,
  ): Promise<ActiveWindow[]> {
    if (services.length === 0) return [];
    const rows = (await tx.query(
      `SELECT id, services, ends_at FROM maintenance_windows
       WHERE services && $1::text[] AND starts_at <= $2 AND ends_at > $2
         AND ended_at IS NULL AND released_at IS NULL AND id IS DISTINCT FROM $3::uuid
       ORDER BY id FOR SHARE`,
      [services, now, except ?? null],
    )) as Array<{ id: string; services: string[]; ends_at: Date }>;
    return rows.map((r) => ({ id: r.id, services: r.services, endsAt: r.ends_at }));
  }

  /**
   * A maintenance window ended: its held alerts still firing are planned as if they had just
   * arrived — joining an open incident, declaring one per group, or held by another window
   * still covering them — in the caller's transaction (the release timer's). Once per window:
   * a second call finds it released and changes nothing. Returns how many were released.
   */
  async release(tx: EntityManager, windowId: string): Promise<{ released: number; heldAgain: number }> {
    const [window] = (await tx.query(
      `SELECT id, reason, released_at FROM maintenance_windows WHERE id = $1 FOR UPDATE`,
      [windowId],
    )) as Array<{ id: string; reason: string; released_at: Date | null }>;
    if (!window || window.released_at) return { released: 0, heldAgain: 0 };
    const now = new Date();
    const rows = (await tx.query(
      `SELECT id, source, identity, group_key, severity, summary, held_incident FROM alerts
       WHERE held_by = $1 AND status = 'firing' AND incident_id IS NULL
       ORDER BY first_seen_at, id FOR UPDATE`,
      [windowId],
    )) as Array<{
      id: string;
      source: string;
      identity: string;
      group_key: string;
      severity: HeldAlert['severity'];
      summary: string;
      held_incident: HeldDeclaration | null;
    }>;
    const held: HeldAlert[] = rows.map((r) => ({
      id: r.id,
      source: r.source,
      identity: r.identity,
      groupKey: r.group_key,
      severity: r.severity,
      summary: r.summary,
      declaration: r.held_incident ?? { title: r.summary, summary: null, service: null },
    }));
    const services = [...new Set(held.flatMap((h) => (h.declaration.service ? [h.declaration.service] : [])))];
    const windows = await this.windowsInForce(tx, services, now, windowId);
    const groupIncidents = await this.lookups.groupIncidents(tx, [...new Set(held.map((h) => h.groupKey))]);
    const plan = new AlertBatchPlan([], [], groupIncidents, { now, newId: randomUUID, windows });
    plan.release(held, { reason: window.reason });
    await this.correlateDeclared(tx, plan, now);

    const released = plan.releases.flatMap((r) => ('incidentId' in r ? [r] : []));
    const heldAgain = plan.releases.flatMap((r) => ('heldBy' in r ? [r] : []));
    if (released.length > 0) {
      await tx.query(
        `UPDATE alerts AS a SET incident_id = x.incident_id, released_at = $2
         FROM unnest($1::uuid[], $3::uuid[]) AS x(id, incident_id) WHERE a.id = x.id`,
        [released.map((r) => r.alertId), now, released.map((r) => r.incidentId)],
      );
    }
    if (heldAgain.length > 0) {
      await tx.query(
        `UPDATE alerts AS a SET held_by = x.held_by
         FROM unnest($1::uuid[], $2::uuid[]) AS x(id, held_by) WHERE a.id = x.id`,
        [heldAgain.map((r) => r.alertId), heldAgain.map((r) => r.heldBy)],
      );
    }
    await tx.query(`UPDATE maintenance_windows SET released_at = $2 WHERE id = $1`, [windowId, now]);
    await this.runPlans(tx, [...plan.plans.values()]);
    this.logger.info(
      { windowId, released: released.length, heldAgain: heldAgain.length, incidents: plan.plans.size },
      'Maintenance window ended; its held alerts handed back',
    );
    return { released: released.length, heldAgain: heldAgain.length };
  }

  /** Records deliveries that must apply once; drops those seen before (and repeats in the batch). */
  private async freshDeliveries(tx: EntityManager, messages: AlertMessage[]): Promise<AlertMessage[]> {
    const deliveryKey = (m: AlertMessage) => boundedKey(m.part ? `${m.deliveryId}#${m.part.index}` : m.deliveryId!);
    const tracked = messages.filter((m) => m.deliveryId);
    if (tracked.length === 0) return messages;
    const rows = (await tx.query(
      `INSERT INTO processed_deliveries (integration_id, delivery_id)
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING
       RETURNING integration_id, delivery_id`,
      [tracked.map((m) => m.integrationId), tracked.map(deliveryKey)],
    )) as Array<{ integration_id: string; delivery_id: string }>;
    const fresh = new Set(rows.map((r) => `${r.integration_id}\n${r.delivery_id}`));
    return messages.filter((m) => {
      if (!m.deliveryId) return true;
      const key = `${m.integrationId}\n${deliveryKey(m)}`;
      if (fresh.delete(key)) return true;
      this.metrics.duplicateDeliveries.inc();
      this.logger.info(
        { integrationId: m.integrationId, deliveryId: m.deliveryId, groupKey: m.groupKey, requestId: m.requestId },
        'Delivery already applied; skipped',
      );
      return false;
    });
  }

  private async loadOccurrences(tx: EntityManager, keys: Array<[string, string]>): Promise<StoredAlert[]> {
    if (keys.length === 0) return [];
    const rows = (await tx.query(
      `SELECT id, integration_id, source, identity, occurrence, group_key, status, severity, incident_id
       FROM alerts WHERE (integration_id, occurrence) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
       FOR UPDATE`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    )) as AlertStateRow[];
    return rows.map(toStored);
  }

  /** Events API: the latest occurrence of each dedup_key. */
  private async loadEventsLatest(tx: EntityManager, keys: Array<[string, string]>): Promise<StoredAlert[]> {
    if (keys.length === 0) return [];
    const rows = (await tx.query(
      `SELECT id, integration_id, source, identity, occurrence, group_key, status, severity, incident_id
       FROM alerts WHERE id IN (
         SELECT DISTINCT ON (integration_id, identity) id FROM alerts
         WHERE source = 'pagerduty-events' AND (integration_id, identity) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
         ORDER BY integration_id, identity, first_seen_at DESC, id DESC)
       FOR UPDATE`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    )) as AlertStateRow[];
    return rows.map(toStored);
  }

  /** Stores a change event once (its id is stable across redeliveries); the plan correlates it. */
  private async storeChange(tx: EntityManager, message: ChangeMessage, plan: AlertBatchPlan): Promise<void> {
    const { changeId, change, service } = message.meta;
    const inserted = (await tx.query(
      `INSERT INTO changes (id, integration_id, service, summary, source, occurred_at, received_at, details, links)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        changeId,
        message.integrationId,
        service,
        change.summary,
        change.source,
        change.timestamp,
        message.receivedAt,
        JSON.stringify(change.details ?? {}),
        JSON.stringify(change.links ?? []),
      ],
    )) as unknown[];
    const isNew = inserted.length > 0;
    const declared =
      isNew && service
        ? await this.lookups.declaredBetween(
            tx,
            service,
            new Date(change.timestamp),
            new Date(Date.parse(change.timestamp) + CHANGE_WINDOW_MS),
          )
        : [];
    plan.correlateChange({ changeId, summary: change.summary, service, occurredAt: change.timestamp }, isNew, declared);
  }

  /** Incidents declared by this batch take the changes of their service from the hour before. */
  private async correlateDeclared(tx: EntityManager, plan: AlertBatchPlan, now: Date): Promise<void> {
    for (const { incidentId, service } of plan.declaredServices()) {
      const changes = (await tx.query(
        `SELECT id, summary, service, occurred_at FROM changes
         WHERE service = $1 AND occurred_at >= $2::timestamptz AND occurred_at <= $3::timestamptz
         ORDER BY occurred_at, id`,
        [service, new Date(now.getTime() - CHANGE_WINDOW_MS), now],
      )) as Array<{ id: string; summary: string; service: string; occurred_at: Date }>;
      plan.correlateDeclared(
        incidentId,
        changes.map((c) => ({ changeId: c.id, summary: c.summary, service: c.service, occurredAt: c.occurred_at })),
      );
    }
  }

  private async writeAlerts(tx: EntityManager, plan: AlertBatchPlan, now: Date): Promise<void> {
    if (plan.inserts.length > 0) {
      const [{ inserted }] = (await tx.query(INSERT_ALERTS, insertParams(plan.inserts))) as Array<{ inserted: number }>;
      if (inserted !== plan.inserts.length) throw new ConcurrentAlertWrite(plan.inserts.length, inserted);
    }
    if (plan.updates.length > 0) {
      await tx.query(
        `UPDATE alerts AS a SET status = x.status, severity = x.severity, summary = x.summary,
           description = x.description, runbook_url = x.runbook_url, generator_url = x.generator_url,
           service = x.service, labels = x.labels, annotations = x.annotations, links = x.links,
           details = x.details, delivery = x.delivery, starts_at = x.starts_at, ends_at = x.ends_at,
           last_seen_at = x.last_seen_at, resolved_at = x.resolved_at
         FROM json_to_recordset($1::json) AS x(${ALERT_COLUMNS})
         WHERE a.id = x.id`,
        [JSON.stringify(plan.updates)],
      );
    }
    if (plan.resolutions.length > 0) {
      await tx.query(
        `UPDATE alerts AS a SET status = x.status, resolved_at = x.resolved_at, ends_at = x.ends_at, last_seen_at = x.last_seen_at
         FROM json_to_recordset($1::json) AS x(id uuid, status text, resolved_at timestamptz, ends_at timestamptz, last_seen_at timestamptz)
         WHERE a.id = x.id`,
        [JSON.stringify(plan.resolutions)],
      );
    }
    if (plan.seen.size > 0) {
      await tx.query(`UPDATE alerts SET last_seen_at = $2 WHERE id = ANY($1::uuid[])`, [[...plan.seen], now]);
    }
  }

  /**
   * The batch's new incidents are declared together, each with its first alerts attached, and
   * the open ones it touches get one load and one append for all their commands.
   */
  private async runPlans(tx: EntityManager, plans: IncidentPlan[]): Promise<void> {
    const options = { actor: SYSTEM_ACTOR, tx };
    const run = (plan: IncidentPlan) => (incident: Incident, ctx: CommandContext) => applyOps(incident, plan.ops, ctx);
    await this.incidents.declareAll(
      plans.flatMap((plan) =>
        plan.declare
          ? [{ input: { id: plan.incidentId, source: 'alert' as const, ...plan.declare }, then: plan.ops.length ? run(plan) : undefined }]
          : [],
      ),
      options,
    );
    await this.incidents.actAll(
      plans.flatMap((plan) => (!plan.declare && plan.ops.length > 0 ? [{ incidentId: plan.incidentId, decide: run(plan) }] : [])),
      options,
    );
  }

  /** Forgets deliveries older than PagerDuty could ever redeliver; at most hourly, never fatal. */
  private async pruneDeliveries(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    try {
      await this.db.query(
        `DELETE FROM processed_deliveries WHERE processed_at < now() - interval '${DELIVERY_RETENTION}'`,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'Pruning processed_deliveries failed; trying again in an hour');
    }
  }
}
