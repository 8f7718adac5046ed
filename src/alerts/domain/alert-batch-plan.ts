import { isWorse, REOPEN_WINDOW_MS, worst } from '../../incidents/domain';
import type { CorrelateChangeInput, GroupIncident, Severity } from '../../incidents/domain';
export type { GroupIncident } from '../../incidents/domain';
import type { ActionMessage, AlertMessage, AnnotationMessage, SignalsMessage } from './alert-message-types';
import type { AlertSignal } from './alert-signal';
import { ActiveWindow, coveringWindow } from './maintenance-window';
import { boundedKey, truncate } from './text-bounds';

/**
 * Turns one batch of alert messages into what must change: alert rows to insert or update and,
 * per incident, the commands to run — one plan per incident, so each incident is loaded and
 * appended once per batch however many alerts touch it. Pure: the caller loads the current
 * rows first and writes the result in one transaction.
 *
 * Per occurrence (integration + occurrence):
 *   unknown  + firing    → stored firing; joins the group's open incident, reopens one resolved
 *                          < 30 min ago, or declares a new one
 *   unknown  + resolved  → stored resolved, no incident (resolved-before-firing)
 *   firing   + firing    → seen again: content refreshed, the incident untouched (a worse
 *                          severity, e.g. a PagerDuty priority raised, raises the incident's)
 *   firing   + resolved  → resolved; the incident marks it (and resolves itself with the last)
 *   resolved + anything  → ignored (a late firing of a resolved occurrence never revives it)
 * PagerDuty `acknowledged` counts as firing and acknowledges a triggered incident.
 *
 * Maintenance windows (ctx.windows, those in force at ctx.now):
 *   unknown  + firing, group has an open incident (or one this batch joins)   → attaches as above
 *   unknown  + firing, would declare or reopen, its incident's service covered → stored firing,
 *                          held by the window (held_by, the declaration it would have made); no
 *                          incident, nobody paged
 *   held     + firing    → seen again: refreshed (a worse severity kept for the release), still held
 *   held     + resolved  → resolved, nothing else
 * At the window's end, `release` plans the held ones still firing as new firing alerts: they
 * join an open (or reopenable) incident of their group, move to another window still covering
 * them, or declare one incident per group with the worst severity among them.
 */

export type AlertStatus = 'firing' | 'resolved';

/** An alert row as the planner needs it. */
export interface StoredAlert {
  id: string;
  integrationId: string;
  source: string;
  identity: string;
  occurrence: string;
  groupKey: string;
  status: AlertStatus;
  severity: Severity;
  incidentId: string | null;
}

/** One alert row's columns, as written (json_to_recordset). */
export interface AlertRowWrite {
  id: string;
  integration_id: string;
  source: string;
  identity: string;
  occurrence: string;
  group_key: string;
  status: AlertStatus;
  severity: Severity;
  summary: string;
  description: string | null;
  runbook_url: string | null;
  generator_url: string | null;
  service: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  links: unknown[];
  details: Record<string, unknown>;
  delivery: Record<string, unknown>;
  starts_at: string;
  ends_at: string | null;
  incident_id: string | null;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  /** The maintenance window holding it (new rows only; see the rules above). */
  held_by: string | null;
  held_incident: HeldDeclaration | null;
}

/** What a held alert would have declared, kept so that its release declares the same. */
export interface HeldDeclaration {
  title: string;
  summary: string | null;
  service: string | null;
}

/** A held alert still firing when its window ended, as `release` needs it. */
export interface HeldAlert {
  id: string;
  source: string;
  identity: string;
  groupKey: string;
  severity: Severity;
  summary: string;
  declaration: HeldDeclaration;
}

/** What releasing a window decided per held alert: an incident now, or another window. */
export type Release = { alertId: string; incidentId: string } | { alertId: string; heldBy: string };

export type IncidentOp =
  | { kind: 'attach'; alertId: string; source: string; identity: string; summary: string; severity: Severity }
  | { kind: 'resolve'; alertId: string }
  | { kind: 'acknowledge'; note: string | null }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'note'; noteId: string; text: string }
  | { kind: 'correlate'; change: CorrelateChangeInput };

export interface DeclareSpec {
  title: string;
  summary: string | null;
  severity: Severity;
  service: string | null;
  groupKey: string;
}

export interface IncidentPlan {
  incidentId: string;
  /** Set when the incident is to be declared by this batch. */
  declare?: DeclareSpec;
  ops: IncidentOp[];
  /** Correlation ids (groups / deliveries) for logs. */
  groups: Set<string>;
}

export type Transition =
  | 'new_firing'
  | 'new_resolved'
  | 'repeat'
  | 'resolved'
  | 'ignored'
  | 'acknowledged'
  | 'annotation'
  | 'change'
  | 'held'
  | 'released';

/** An existing row resolved without new content (Events API resolve). */
export interface AlertResolution {
  id: string;
  status: 'resolved';
  resolved_at: string;
  ends_at: string;
  last_seen_at: string;
}

interface Tracked {
  row: StoredAlert;
  /** The row to write, once its content changed (new rows always). */
  write?: AlertRowWrite;
  resolution?: AlertResolution;
}

export interface PlanContext {
  now: Date;
  newId: () => string;
  /** Maintenance windows in force at `now` (none when absent). */
  windows?: readonly ActiveWindow[];
}

const TITLE_MAX = 200;
const SUMMARY_MAX = 10_000;
const SERVICE_MAX = 200;
const IDENTITY_MAX = 1000;
const NOTE_MAX = 10_000;

export function occurrenceKey(integrationId: string, occurrence: string): string {
  return `${integrationId}\n${occurrence}`;
}

function text(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : truncate(trimmed, max);
}

export class AlertBatchPlan {
  readonly inserts: AlertRowWrite[] = [];
  readonly updates: AlertRowWrite[] = [];
  readonly resolutions: AlertResolution[] = [];
  /** Existing rows only seen again (last_seen_at). */
  readonly seen = new Set<string>();
  readonly plans = new Map<string, IncidentPlan>();
  readonly counts = new Map<Transition, number>();
  /** Messages that referred to something unknown, for logs. */
  readonly skipped: Array<{ groupKey: string; deliveryId?: string; reason: string }> = [];
  /** Set by `release`: what became of each held alert. */
  readonly releases: Release[] = [];

  private readonly byOccurrence = new Map<string, Tracked>();
  /** Events API: the latest occurrence of each (integration, dedup_key). */
  private readonly eventsLatest = new Map<string, Tracked>();
  private readonly groupTargets = new Map<string, string>();
  private readonly nowIso: string;

  constructor(
    existing: StoredAlert[],
    eventsLatest: StoredAlert[],
    private readonly groupIncidents: Map<string, GroupIncident>,
    private readonly ctx: PlanContext,
  ) {
    this.nowIso = ctx.now.toISOString();
    for (const row of [...existing, ...eventsLatest]) {
      const key = occurrenceKey(row.integrationId, row.occurrence);
      const tracked = this.byOccurrence.get(key) ?? { row };
      this.byOccurrence.set(key, tracked);
      if (row.source === 'pagerduty-events')
        this.eventsLatest.set(occurrenceKey(row.integrationId, row.identity), tracked);
    }
  }

  apply(message: AlertMessage): void {
    switch (message.kind) {
      case 'signals':
        return this.applySignals(message);
      case 'pd-action':
        return this.applyAction(message);
      case 'pd-annotation':
        return this.applyAnnotation(message);
      case 'change':
        // A change is stored by the processor first (its row decides whether it is new), then
        // planned with correlateChange.
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /**
   * A change (deploy) arrived: the first time it is stored, every incident of its service
   * declared within the hour after it records `change.correlated`. A redelivered change
   * (`isNew` false) changes nothing.
   */
  correlateChange(change: ChangeFact, isNew: boolean, incidentsOfService: readonly string[]): void {
    if (!isNew || !change.service) return;
    this.count('change');
    for (const incidentId of incidentsOfService)
      this.plan(incidentId).ops.push({ kind: 'correlate', change: correlation(change) });
  }

  /** The services of the incidents this batch declares: their recent changes are looked up next. */
  declaredServices(): Array<{ incidentId: string; service: string }> {
    return [...this.plans.values()].flatMap((p) =>
      p.declare?.service ? [{ incidentId: p.incidentId, service: p.declare.service }] : [],
    );
  }

  /**
   * An incident declared by this batch takes the changes of its service from the hour before
   * (`changes` oldest first); they come first on its timeline, in the order they happened.
   */
  correlateDeclared(incidentId: string, changes: readonly ChangeFact[]): void {
    const plan = this.plans.get(incidentId);
    if (!plan?.declare) return;
    plan.ops.unshift(...changes.map((change): IncidentOp => ({ kind: 'correlate', change: correlation(change) })));
  }

  private count(transition: Transition, n = 1): void {
    this.counts.set(transition, (this.counts.get(transition) ?? 0) + n);
  }

  private plan(incidentId: string, declare?: DeclareSpec): IncidentPlan {
    let plan = this.plans.get(incidentId);
    if (!plan) {
      plan = { incidentId, declare, ops: [], groups: new Set() };
      this.plans.set(incidentId, plan);
    }
    return plan;
  }

  private applySignals(message: SignalsMessage): void {
    const attachedTo = new Set<IncidentPlan>();
    let declareSeverity: Severity | undefined;
    for (const signal of message.signals) {
      if (signal.status !== 'resolved')
        declareSeverity = declareSeverity ? worst(declareSeverity, signal.severity) : signal.severity;
    }
    for (const signal of message.signals) {
      const firing = signal.status !== 'resolved';
      const tracked = this.find(message, signal);
      if (!tracked) {
        const occurrence = boundedKey(
          message.source === 'pagerduty-events'
            ? `${signal.identity}@${message.deliveryId ?? message.requestId}`
            : signal.occurrence,
        );
        const write = this.rowWrite(message, signal, this.ctx.newId(), occurrence);
        const row: StoredAlert = {
          id: write.id,
          integrationId: message.integrationId,
          source: message.source,
          identity: signal.identity,
          occurrence,
          groupKey: message.groupKey,
          status: firing ? 'firing' : 'resolved',
          severity: signal.severity,
          incidentId: null,
        };
        const created: Tracked = { row, write };
        this.inserts.push(write);
        this.byOccurrence.set(occurrenceKey(row.integrationId, occurrence), created);
        if (message.source === 'pagerduty-events') {
          this.eventsLatest.set(occurrenceKey(row.integrationId, row.identity), created);
        }
        if (!firing) {
          write.status = 'resolved';
          write.resolved_at = this.nowIso;
          write.ends_at = signal.endsAt ?? this.nowIso;
          this.count('new_resolved');
          continue;
        }
        const window = this.holdingWindow(message.groupKey, incidentService(message, signal));
        if (window) {
          write.held_by = window.id;
          write.held_incident = {
            title: incidentTitle(message, signal),
            summary: text(incidentSummary(message, signal), SUMMARY_MAX),
            service: incidentService(message, signal),
          };
          this.count('held');
          continue;
        }
        const plan = this.targetFor(message, signal, declareSeverity ?? signal.severity);
        row.incidentId = plan.incidentId;
        write.incident_id = plan.incidentId;
        plan.ops.push({
          kind: 'attach',
          alertId: row.id,
          source: message.source,
          identity: truncate(signal.identity, IDENTITY_MAX),
          summary: text(signal.summary, SUMMARY_MAX) ?? truncate(signal.identity, SUMMARY_MAX),
          severity: signal.severity,
        });
        attachedTo.add(plan);
        this.count('new_firing');
        if (signal.status === 'acknowledged') this.acknowledge(plan, message);
        continue;
      }

      const { row } = tracked;
      if (row.status === 'resolved') {
        this.count(firing ? 'ignored' : 'repeat');
        if (tracked.write) tracked.write.last_seen_at = this.nowIso;
        else if (!tracked.resolution) this.seen.add(row.id);
        continue;
      }
      // Firing until now: refresh the content, keep identity, first seen and incident.
      const write = this.rowWrite(message, signal, row.id, row.occurrence, tracked.write);
      write.incident_id = row.incidentId;
      write.severity = row.severity;
      if (!tracked.write) {
        tracked.write = write;
        this.updates.push(write);
        this.seen.delete(row.id);
      }
      if (!firing) {
        row.status = 'resolved';
        write.status = 'resolved';
        write.resolved_at = this.nowIso;
        write.ends_at = signal.endsAt ?? this.nowIso;
        if (row.incidentId) this.plan(row.incidentId).ops.push({ kind: 'resolve', alertId: row.id });
        this.count('resolved');
        continue;
      }
      this.count('repeat');
      if (isWorse(signal.severity, row.severity)) {
        // A held alert (no incident yet) keeps it for its release's declaration.
        row.severity = signal.severity;
        write.severity = signal.severity;
        if (row.incidentId) this.plan(row.incidentId).ops.push({ kind: 'severity', severity: signal.severity });
      }
      if (signal.status === 'acknowledged' && row.incidentId) this.acknowledge(this.plan(row.incidentId), message);
    }

    const truncated = message.meta.alertmanager?.truncatedAlerts ?? 0;
    if (truncated > 0) {
      for (const plan of attachedTo) {
        plan.ops.push({
          kind: 'note',
          noteId: this.ctx.newId(),
          text: truncate(
            `Alertmanager left ${truncated} alert(s) of this group out of its notification (max_alerts, truncatedAlerts = ${truncated}); ` +
              `see ${message.meta.alertmanager?.externalURL ?? 'Alertmanager'} for the full group.`,
            NOTE_MAX,
          ),
        });
      }
    }
  }

  private acknowledge(plan: IncidentPlan, message: AlertMessage): void {
    const agent = message.kind === 'signals' ? message.meta.pagerduty?.agent : null;
    plan.ops.push({
      kind: 'acknowledge',
      note:
        message.source === 'pagerduty-webhook'
          ? truncate(`Acknowledged in PagerDuty${agent ? ` by ${agent}` : ''}`, NOTE_MAX)
          : 'Acknowledged through the Events API',
    });
    this.count('acknowledged');
  }

  private find(message: AlertMessage, signal: AlertSignal): Tracked | undefined {
    if (message.source === 'pagerduty-events') {
      const latest = this.eventsLatest.get(occurrenceKey(message.integrationId, signal.identity));
      // A trigger after the alert resolved opens a new alert, as PagerDuty does.
      return latest && latest.row.status === 'firing' ? latest : undefined;
    }
    return this.byOccurrence.get(occurrenceKey(message.integrationId, boundedKey(signal.occurrence)));
  }

  /** The incident a new firing alert of this group joins: open, reopenable, or a new one. */
  private targetFor(message: SignalsMessage, signal: AlertSignal, severity: Severity): IncidentPlan {
    const known = this.groupTargets.get(message.groupKey);
    if (known) return this.withGroup(this.plan(known), message);
    const latest = this.groupIncidents.get(message.groupKey);
    const usable =
      latest &&
      (latest.status !== 'resolved' ||
        (latest.resolvedAt !== null && this.ctx.now.getTime() - latest.resolvedAt.getTime() < REOPEN_WINDOW_MS));
    const plan = usable
      ? this.plan(latest.id)
      : this.plan(this.ctx.newId(), {
          title: incidentTitle(message, signal),
          summary: text(incidentSummary(message, signal), SUMMARY_MAX),
          severity,
          service: incidentService(message, signal),
          groupKey: message.groupKey,
        });
    this.groupTargets.set(message.groupKey, plan.incidentId);
    return this.withGroup(plan, message);
  }

  /**
   * The window that holds a new firing alert of this group: none when the group already has
   * an open incident (its alerts still attach) or one this batch joins or declares.
   */
  private holdingWindow(groupKey: string, service: string | null): ActiveWindow | null {
    if (!this.ctx.windows?.length || this.groupTargets.has(groupKey)) return null;
    const latest = this.groupIncidents.get(groupKey);
    if (latest && latest.status !== 'resolved') return null;
    return coveringWindow(this.ctx.windows, service);
  }

  /**
   * A window ended: its held alerts still firing (oldest first) are planned as if they had
   * just arrived, with the windows still in force in ctx.windows.
   */
  release(held: readonly HeldAlert[], window?: { reason: string }): void {
    const severityOf = new Map<string, Severity>();
    for (const alert of held) {
      const known = severityOf.get(alert.groupKey);
      severityOf.set(alert.groupKey, known ? worst(known, alert.severity) : alert.severity);
    }
    const handedOver = new Map<IncidentPlan, number>();
    for (const alert of held) {
      const window = this.holdingWindow(alert.groupKey, alert.declaration.service);
      if (window) {
        this.releases.push({ alertId: alert.id, heldBy: window.id });
        this.count('held');
        continue;
      }
      const plan = this.releaseTarget(alert, severityOf.get(alert.groupKey) ?? alert.severity);
      plan.groups.add(alert.groupKey);
      plan.ops.push({
        kind: 'attach',
        alertId: alert.id,
        source: alert.source,
        identity: truncate(alert.identity, IDENTITY_MAX),
        summary: text(alert.summary, SUMMARY_MAX) ?? truncate(alert.identity, SUMMARY_MAX),
        severity: alert.severity,
      });
      this.releases.push({ alertId: alert.id, incidentId: plan.incidentId });
      this.count('released');
      handedOver.set(plan, (handedOver.get(plan) ?? 0) + 1);
    }
    // Responders should know these alerts have been firing since before the window ended.
    for (const [plan, n] of handedOver) {
      plan.ops.push({
        kind: 'note',
        noteId: this.ctx.newId(),
        text: truncate(
          `${n} alert(s) held by the maintenance window${window ? ` "${window.reason}"` : ''} were still firing when it ended.`,
          NOTE_MAX,
        ),
      });
    }
  }

  private releaseTarget(alert: HeldAlert, severity: Severity): IncidentPlan {
    const known = this.groupTargets.get(alert.groupKey);
    if (known) return this.plan(known);
    const latest = this.groupIncidents.get(alert.groupKey);
    const usable =
      latest &&
      (latest.status !== 'resolved' ||
        (latest.resolvedAt !== null && this.ctx.now.getTime() - latest.resolvedAt.getTime() < REOPEN_WINDOW_MS));
    const plan = usable
      ? this.plan(latest.id)
      : this.plan(this.ctx.newId(), { ...alert.declaration, severity, groupKey: alert.groupKey });
    this.groupTargets.set(alert.groupKey, plan.incidentId);
    return plan;
  }

  private withGroup(plan: IncidentPlan, message: AlertMessage): IncidentPlan {
    plan.groups.add(message.groupKey);
    return plan;
  }

  private applyAction(message: ActionMessage): void {
    const tracked = this.eventsLatest.get(occurrenceKey(message.integrationId, message.meta.dedupKey));
    if (!tracked || tracked.row.status !== 'firing') {
      // As PagerDuty: acknowledge / resolve of an alert that is not open is dropped.
      this.count('ignored');
      this.skipped.push({
        groupKey: message.groupKey,
        deliveryId: message.deliveryId,
        reason: `${message.meta.action} for no open alert`,
      });
      return;
    }
    const { row } = tracked;
    if (message.meta.action === 'acknowledge') {
      if (row.incidentId) this.acknowledge(this.plan(row.incidentId), message);
      return;
    }
    row.status = 'resolved';
    const write = tracked.write ?? tracked.resolution;
    if (write) {
      write.status = 'resolved';
      write.resolved_at = this.nowIso;
      write.ends_at = this.nowIso;
      write.last_seen_at = this.nowIso;
    } else {
      tracked.resolution = {
        id: row.id,
        status: 'resolved',
        resolved_at: this.nowIso,
        ends_at: this.nowIso,
        last_seen_at: this.nowIso,
      };
      this.resolutions.push(tracked.resolution);
      this.seen.delete(row.id);
    }
    if (row.incidentId) this.plan(row.incidentId).ops.push({ kind: 'resolve', alertId: row.id });
    this.count('resolved');
  }

  private applyAnnotation(message: AnnotationMessage): void {
    const tracked = this.byOccurrence.get(occurrenceKey(message.integrationId, boundedKey(message.meta.incidentId)));
    if (!tracked?.row.incidentId) {
      this.count('ignored');
      this.skipped.push({
        groupKey: message.groupKey,
        deliveryId: message.deliveryId,
        reason: 'note on an unknown PagerDuty incident',
      });
      return;
    }
    const { agent, content, trimmed } = message.meta;
    const body = `PagerDuty note${agent ? ` by ${agent}` : ''}: ${content}${trimmed ? ' (trimmed by PagerDuty)' : ''}`;
    this.plan(tracked.row.incidentId).ops.push({
      kind: 'note',
      noteId: this.ctx.newId(),
      text: truncate(body.trim(), NOTE_MAX),
    });
    this.count('annotation');
  }

  private rowWrite(
    message: SignalsMessage,
    signal: AlertSignal,
    id: string,
    occurrence: string,
    into?: AlertRowWrite,
  ): AlertRowWrite {
    const delivery: Record<string, unknown> = {
      requestId: message.requestId,
      receivedAt: message.receivedAt,
    };
    if (message.deliveryId) delivery.deliveryId = message.deliveryId;
    if (message.part) delivery.part = message.part;
    const am = message.meta.alertmanager;
    if (am) {
      delivery.receiver = am.receiver;
      delivery.externalURL = am.externalURL;
      delivery.truncatedAlerts = am.truncatedAlerts;
      if (am.notificationReason !== undefined) delivery.notificationReason = am.notificationReason;
    }
    const pd = message.meta.pagerduty;
    if (pd) Object.assign(delivery, { eventId: pd.eventId, eventType: pd.eventType, agent: pd.agent });
    const write: AlertRowWrite = into ?? ({} as AlertRowWrite);
    Object.assign(write, {
      id,
      integration_id: message.integrationId,
      source: message.source,
      identity: signal.identity,
      occurrence,
      group_key: message.groupKey,
      status: signal.status === 'resolved' ? 'resolved' : 'firing',
      severity: signal.severity,
      summary: signal.summary,
      description: signal.description,
      runbook_url: signal.runbookUrl,
      generator_url: signal.generatorUrl,
      service: signal.service ?? message.meta.service,
      labels: signal.labels,
      annotations: signal.annotations,
      links: signal.links,
      details: signal.details,
      delivery,
      starts_at: signal.startsAt,
      ends_at: signal.endsAt,
      incident_id: into?.incident_id ?? null,
      first_seen_at: into?.first_seen_at ?? this.nowIso,
      last_seen_at: this.nowIso,
      resolved_at: into?.resolved_at ?? null,
      held_by: into?.held_by ?? null,
      held_incident: into?.held_incident ?? null,
    });
    return write;
  }
}

/** Alertmanager: the group's common summary, else its alertname and group labels; else the alert's summary. */
export function incidentTitle(message: SignalsMessage, signal: AlertSignal): string {
  const am = message.meta.alertmanager;
  let title: string | null = null;
  if (am) {
    title = text(am.commonAnnotations.summary, TITLE_MAX);
    const alertname = am.commonLabels.alertname ?? am.groupLabels.alertname;
    if (!title && alertname) {
      const others = Object.entries(am.groupLabels)
        .filter(([name]) => name !== 'alertname')
        .map(([name, value]) => `${name}=${value}`);
      title = text(others.length ? `${alertname} (${others.join(', ')})` : alertname, TITLE_MAX);
    }
  }
  return (
    title ??
    text(signal.summary, TITLE_MAX) ??
    text(signal.labels.alertname, TITLE_MAX) ??
    truncate(`Alert ${signal.identity}`, TITLE_MAX)
  );
}

function incidentSummary(message: SignalsMessage, signal: AlertSignal): string | null {
  return message.meta.alertmanager?.commonAnnotations.description ?? signal.description;
}

/** The service an incident declared for this alert would get: what maintenance windows match. */
export function incidentService(message: SignalsMessage, signal: AlertSignal): string | null {
  return text(message.meta.service ?? signal.service, SERVICE_MAX);
}

/** A stored change (deploy) as the planner needs it. */
export interface ChangeFact {
  changeId: string;
  summary: string;
  service: string | null;
  occurredAt: Date | string;
}

/** Changes of a service this long before an incident of it is declared are correlated with it. */
export const CHANGE_WINDOW_MS = 60 * 60 * 1000;

function correlation(change: ChangeFact): CorrelateChangeInput {
  return {
    changeId: change.changeId,
    summary: truncate(change.summary, 10_000),
    service: change.service === null ? null : truncate(change.service, 200),
    occurredAt: change.occurredAt,
  };
}
