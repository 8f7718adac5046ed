import type { ActionItem, ActionItemStatus } from './action-item';
import { DomainError } from './incident-errors';
import { INCIDENT_SOURCES } from './incident-events';
import type {
  ActionItemChanges,
  AutomationEvent,
  ChatChannel,
  IncidentEvent,
  IncidentEventData,
  IncidentEventType,
  IncidentSource,
  NotificationData,
  PageMethod,
} from './incident-events';
import { evolve } from './incident-state';
import type { IncidentState } from './incident-state';
import { canTransition } from './incident-status';
import type { IncidentStatus } from './incident-status';
import {
  validActionItemStatus,
  validActionItemTitle,
  validDate,
  validDueDate,
  validHandle,
  validId,
  validNote,
  validNoteText,
  validOwner,
  validReason,
  validRole,
  validService,
  validSeverity,
  validSummary,
  validTitle,
  validValue,
} from './incident-validation';
import { isValidHandle, SYSTEM_ACTOR } from './roles';
import type { Role, Roles } from './roles';
import { isWorse } from './severity';
import type { Severity } from './severity';

/** Who is acting and when. Every command takes one as its last argument. */
export interface CommandContext {
  /** A responder handle, a token name, or `system`. */
  readonly actor: string;
  readonly now: Date;
}

/** A firing alert may reopen a resolved incident only this long after it resolved. */
export const REOPEN_WINDOW_MS = 30 * 60 * 1000;

export interface DeclareIncidentInput {
  id: string;
  number: number;
  title: string;
  summary?: string | null;
  severity: Severity;
  service?: string | null;
  source: IncidentSource;
  groupKey?: string | null;
  commander?: string | null;
}

export interface UpdateIncidentInput {
  title?: string;
  summary?: string | null;
}

export interface AddActionItemInput {
  title: string;
  owner?: string | null;
  dueDate?: string | null;
}

export interface UpdateActionItemInput {
  title?: string;
  /** null removes the owner. */
  owner?: string | null;
  /** null removes the due date. */
  dueDate?: string | null;
  status?: ActionItemStatus;
}

export interface AttachAlertInput {
  alertId: string;
  /** The integration type, e.g. `alertmanager`. */
  source: string;
  /** Fingerprint, dedup key or PagerDuty incident id. */
  identity: string;
  summary?: string | null;
  severity: Severity;
  firing: boolean;
}

export interface CorrelateChangeInput {
  changeId: string;
  summary: string;
  service?: string | null;
  /** When the change (deploy) happened. */
  occurredAt: Date | string;
}

export type NotificationOutcome =
  | { status: 'sent'; channel: string; recipient: string }
  | { status: 'failed'; channel: string; recipient: string; reason: string };

/** The contract's Incident, plus `source`, `groupKey` and `lastResolvedAt`. */
export interface IncidentSnapshot {
  id: string;
  number: number;
  title: string;
  summary: string | null;
  status: IncidentStatus;
  severity: Severity;
  service: string | null;
  roles: {
    commander: string | null;
    deputy: string | null;
    scribe: string | null;
    communications: string | null;
  };
  createdAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  alerts: { total: number; firing: number };
  version: number;
  source: IncidentSource;
  groupKey: string | null;
  lastResolvedAt: Date | null;
  chat: ChatChannel | null;
  lastStatusUpdateAt: Date | null;
  /** Runs of automations whose verdict resolves the incident, still pending. */
  awaitingVerification: readonly string[];
}

function checkContext(ctx: CommandContext): void {
  if (typeof ctx?.actor !== 'string' || ctx.actor.trim() === '') {
    throw new Error('CommandContext.actor must be a non-empty string');
  }
  if (!(ctx.now instanceof Date) || Number.isNaN(ctx.now.getTime())) {
    throw new Error('CommandContext.now must be a valid Date');
  }
}

/**
 * The number a declaration carries until the store draws the real one in the statement that
 * writes it (one round trip instead of two); `numberDrawn` then sets it. Never stored.
 */
export const NUMBER_DRAWN_ON_WRITE = 2_147_483_647;

/**
 * The incident aggregate. Commands check the rules against the current state, then record
 * events; recording applies the same `evolve` used to rehydrate, so state is always derived
 * from events. A command that changes nothing records nothing.
 */
export class Incident {
  private pending: IncidentEvent[] = [];

  private constructor(
    readonly id: string,
    private state: IncidentState,
  ) {}

  // ---- creation ---------------------------------------------------------------------------

  /** Records `incident.declared`, then `incident.role_assigned` when a commander is given. */
  static declare(input: DeclareIncidentInput, ctx: CommandContext): Incident {
    checkContext(ctx);
    const id = validId(input.id, 'id');
    if (!Number.isSafeInteger(input.number) || input.number < 1) {
      throw DomainError.invalid(
        'INVALID_NUMBER',
        'Incident number must be a positive integer',
        'number',
      );
    }
    if (!INCIDENT_SOURCES.includes(input.source)) {
      throw DomainError.invalid('INVALID_SOURCE', 'Source must be manual or alert', 'source');
    }
    const data: IncidentEventData<'incident.declared'> = {
      number: input.number,
      title: validTitle(input.title),
      summary: validSummary(input.summary),
      severity: validSeverity(input.severity),
      service: validService(input.service),
      source: input.source,
      groupKey: input.groupKey ?? null,
    };
    const commander =
      input.commander === undefined || input.commander === null
        ? null
        : validHandle(input.commander, 'commander');

    const declared: IncidentEvent = {
      type: 'incident.declared',
      actor: ctx.actor,
      occurredAt: ctx.now,
      data,
    };
    const incident = new Incident(id, evolve(undefined, declared));
    incident.pending.push(declared);
    if (commander !== null) {
      incident.record('incident.role_assigned', ctx, {
        role: 'commander',
        assignee: commander,
        previous: null,
      });
    }
    return incident;
  }

  /** Rehydrates from the timeline (seq order). Records nothing. */
  static fromEvents(id: string, events: readonly IncidentEvent[]): Incident {
    if (events.length === 0 || events[0].type !== 'incident.declared') {
      throw new Error(`Incident ${id}: event stream must start with incident.declared`);
    }
    const state = events.reduce<IncidentState | undefined>(evolve, undefined);
    return new Incident(id, state as IncidentState);
  }

  /** Rebuilds from a stored state (the read model, which the log can always reproduce). Records nothing. */
  static restore(id: string, state: IncidentState): Incident {
    return new Incident(id, state);
  }

  // ---- reading ----------------------------------------------------------------------------

  /** The human number (#42); NUMBER_DRAWN_ON_WRITE until the store has drawn it. */
  get number(): number {
    return this.state.number;
  }

  /** Number of events applied, recorded ones included: the seq of the last event. */
  get version(): number {
    return this.state.version;
  }

  /** How many notes the timeline holds. */
  get notes(): number {
    return this.state.notes;
  }

  get status(): IncidentStatus {
    return this.state.status;
  }

  get severity(): Severity {
    return this.state.severity;
  }

  get source(): IncidentSource {
    return this.state.source;
  }

  get groupKey(): string | null {
    return this.state.groupKey;
  }

  get roles(): Roles {
    return this.state.roles;
  }

  get alerts(): { readonly total: number; readonly firing: number } {
    return this.state.alerts;
  }

  /** Sets the number the store drew for this new incident (declared with NUMBER_DRAWN_ON_WRITE). */
  numberDrawn(number: number): void {
    if (this.state.number !== NUMBER_DRAWN_ON_WRITE) throw new Error(`Incident ${this.id} already has a number`);
    if (!Number.isSafeInteger(number) || number < 1 || number >= NUMBER_DRAWN_ON_WRITE) {
      throw new Error(`Not an incident number: ${number}`);
    }
    this.state = { ...this.state, number };
  }

  /** Events recorded since the last pull, without clearing them. */
  get pendingEvents(): readonly IncidentEvent[] {
    return this.pending;
  }

  /** Returns the events recorded since the last pull and forgets them. */
  pullEvents(): IncidentEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  snapshot(): IncidentSnapshot {
    const s = this.state;
    return {
      id: this.id,
      number: s.number,
      title: s.title,
      summary: s.summary,
      status: s.status,
      severity: s.severity,
      service: s.service,
      roles: { ...s.roles },
      createdAt: s.createdAt,
      acknowledgedAt: s.acknowledgedAt,
      mitigatedAt: s.mitigatedAt,
      resolvedAt: s.resolvedAt,
      alerts: { ...s.alerts },
      version: s.version,
      source: s.source,
      groupKey: s.groupKey,
      lastResolvedAt: s.lastResolvedAt,
      chat: s.chat ? { ...s.chat } : null,
      lastStatusUpdateAt: s.lastStatusUpdateAt,
      awaitingVerification: [...s.awaitingVerification],
    };
  }

  actionItems(): ActionItem[] {
    return [...this.state.actionItems.values()];
  }

  actionItem(id: string): ActionItem | undefined {
    return this.state.actionItems.get(id);
  }

  /** True when resolved less than REOPEN_WINDOW_MS before `now`. */
  canReopenForAlert(now: Date): boolean {
    const { status, resolvedAt } = this.state;
    return (
      status === 'resolved' &&
      resolvedAt !== null &&
      now.getTime() - resolvedAt.getTime() < REOPEN_WINDOW_MS
    );
  }

  // ---- details ----------------------------------------------------------------------------

  /** Records one `incident.updated` with the fields that actually change. */
  update(changes: UpdateIncidentInput, ctx: CommandContext): void {
    checkContext(ctx);
    const data: IncidentEventData<'incident.updated'> = {};
    if (changes.title !== undefined) {
      const title = validTitle(changes.title);
      if (title !== this.state.title) data.title = { from: this.state.title, to: title };
    }
    if (changes.summary !== undefined) {
      const summary = validSummary(changes.summary);
      if (summary !== this.state.summary) data.summary = { from: this.state.summary, to: summary };
    }
    if (data.title || data.summary) this.record('incident.updated', ctx, data);
  }

  changeSeverity(severity: Severity, reason: string | null | undefined, ctx: CommandContext): void {
    checkContext(ctx);
    const to = validSeverity(severity);
    const why = validReason(reason);
    if (to === this.state.severity) return;
    this.record('incident.severity_changed', ctx, { from: this.state.severity, to, reason: why });
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /**
   * triggered → acknowledged. When nobody holds command, the acknowledger (a responder, not
   * `system`) becomes commander; a deputy who acknowledges moves up from deputy.
   */
  acknowledge(note: string | null | undefined, ctx: CommandContext): void {
    checkContext(ctx);
    this.assertTransition('acknowledged');
    this.record('incident.acknowledged', ctx, { note: validNote(note) });

    const { roles } = this.state;
    const handle = ctx.actor.trim();
    if (roles.commander !== null || handle === SYSTEM_ACTOR || !isValidHandle(handle)) return;
    if (roles.deputy === handle) {
      this.record('incident.role_unassigned', ctx, { role: 'deputy', previous: handle });
    }
    this.record('incident.role_assigned', ctx, {
      role: 'commander',
      assignee: handle,
      previous: null,
    });
  }

  /** triggered | acknowledged → mitigated. */
  mitigate(note: string | null | undefined, ctx: CommandContext): void {
    checkContext(ctx);
    this.assertTransition('mitigated');
    this.record('incident.mitigated', ctx, { note: validNote(note) });
  }

  /** triggered | acknowledged | mitigated → resolved, by a person. */
  resolve(note: string | null | undefined, ctx: CommandContext): void {
    checkContext(ctx);
    this.assertTransition('resolved');
    this.record('incident.resolved', ctx, { note: validNote(note), automatic: false });
  }

  /** Resolution by automation (every alert resolved): actor `system` whatever ctx.actor says. */
  resolveAutomatically(ctx: CommandContext): void {
    checkContext(ctx);
    this.assertTransition('resolved');
    this.record('incident.resolved', system(ctx), { note: null, automatic: true });
  }

  /** resolved → triggered. Acknowledged/mitigated/resolved times start over. */
  reopen(
    note: string | null | undefined,
    reason: string | null | undefined,
    ctx: CommandContext,
  ): void {
    checkContext(ctx);
    this.assertTransition('triggered');
    this.record('incident.reopened', ctx, { note: validNote(note), reason: validReason(reason) });
  }

  // ---- roles ------------------------------------------------------------------------------

  /**
   * Gives a role to a responder, replacing whoever held it. Nobody holds commander and deputy
   * at once (ROLE_CONFLICT). Assigning the current holder again changes nothing.
   */
  assignRole(role: Role, assignee: string, ctx: CommandContext): void {
    checkContext(ctx);
    const r = validRole(role);
    const handle = validHandle(assignee, 'assignee');
    const { roles } = this.state;
    if (roles[r] === handle) return;
    const other = r === 'commander' ? 'deputy' : r === 'deputy' ? 'commander' : null;
    if (other !== null && roles[other] === handle) {
      throw DomainError.conflict(
        'ROLE_CONFLICT',
        `${handle} is ${other}; nobody can be commander and deputy at once`,
      );
    }
    this.record('incident.role_assigned', ctx, { role: r, assignee: handle, previous: roles[r] });
  }

  /**
   * Empties a role. Removing the commander while there is a deputy hands command to the
   * deputy: one `incident.commander_handoff`, and the deputy slot empties.
   */
  unassignRole(role: Role, ctx: CommandContext): void {
    checkContext(ctx);
    const r = validRole(role);
    const { roles } = this.state;
    const previous = roles[r];
    if (previous === null) return;
    if (r === 'commander' && roles.deputy !== null) {
      this.record('incident.commander_handoff', ctx, { from: previous, to: roles.deputy });
      return;
    }
    this.record('incident.role_unassigned', ctx, { role: r, previous });
  }

  // ---- notes and action items -------------------------------------------------------------

  addNote(noteId: string, text: string, pinned: boolean, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('note.added', ctx, {
      noteId: validId(noteId, 'noteId'),
      text: validNoteText(text),
      pinned: pinned === true,
    });
  }

  addActionItem(actionItemId: string, input: AddActionItemInput, ctx: CommandContext): void {
    checkContext(ctx);
    const id = validId(actionItemId, 'actionItemId');
    const data: IncidentEventData<'action_item.added'> = {
      actionItemId: id,
      title: validActionItemTitle(input.title),
      owner: validOwner(input.owner),
      dueDate: validDueDate(input.dueDate),
      status: 'open',
    };
    if (this.state.actionItems.has(id)) {
      throw DomainError.conflict('ACTION_ITEM_EXISTS', `Action item ${id} already exists`);
    }
    this.record('action_item.added', ctx, data);
  }

  /** Records the fields that actually change; none → nothing. Unknown id → ACTION_ITEM_NOT_FOUND. */
  updateActionItem(actionItemId: string, input: UpdateActionItemInput, ctx: CommandContext): void {
    checkContext(ctx);
    const item = this.state.actionItems.get(actionItemId);
    if (!item) {
      throw DomainError.notFound('ACTION_ITEM_NOT_FOUND', `Action item ${actionItemId} not found`);
    }
    const changes: ActionItemChanges = {};
    if (input.title !== undefined) {
      const title = validActionItemTitle(input.title);
      if (title !== item.title) changes.title = title;
    }
    if (input.owner !== undefined) {
      const owner = validOwner(input.owner);
      if (owner !== item.owner) changes.owner = owner;
    }
    if (input.dueDate !== undefined) {
      const dueDate = validDueDate(input.dueDate);
      if (dueDate !== item.dueDate) changes.dueDate = dueDate;
    }
    if (input.status !== undefined) {
      const status = validActionItemStatus(input.status);
      if (status !== item.status) changes.status = status;
    }
    if (Object.keys(changes).length === 0) return;
    this.record('action_item.updated', ctx, { actionItemId, changes });
  }

  // ---- alerts -----------------------------------------------------------------------------

  /**
   * Records `alert.attached`, and `incident.severity_changed` (reason 'alert') when the alert
   * is worse than the incident; severity is never lowered automatically. A firing alert on a
   * resolved incident reopens it (actor `system`) within REOPEN_WINDOW_MS of the resolution;
   * later it is INCIDENT_CLOSED_FOR_ALERTS and the caller declares a new incident.
   * The caller guarantees each alert is attached once.
   */
  attachAlert(input: AttachAlertInput, ctx: CommandContext): void {
    checkContext(ctx);
    const data: IncidentEventData<'alert.attached'> = {
      alertId: validId(input.alertId, 'alertId'),
      source: validValue(input.source, 'source'),
      identity: validValue(input.identity, 'identity', 1000),
      summary: validSummary(input.summary),
      severity: validSeverity(input.severity),
      firing: input.firing === true,
    };
    if (data.firing && this.state.status === 'resolved') {
      if (!this.canReopenForAlert(ctx.now)) {
        throw DomainError.conflict(
          'INCIDENT_CLOSED_FOR_ALERTS',
          `Incident #${this.state.number} resolved more than ${REOPEN_WINDOW_MS / 60_000} minutes ago; declare a new incident`,
        );
      }
      this.record('incident.reopened', system(ctx), { note: null, reason: 'alert refired' });
    }
    this.record('alert.attached', ctx, data);
    if (isWorse(data.severity, this.state.severity)) {
      this.record('incident.severity_changed', ctx, {
        from: this.state.severity,
        to: data.severity,
        reason: 'alert',
      });
    }
  }

  /**
   * Records `alert.resolved` (one fewer firing). When no alert fires any more on an incident
   * declared from alerts that is still open, it resolves itself (actor `system`).
   * The caller guarantees each alert is marked resolved once.
   */
  markAlertResolved(alertId: string, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('alert.resolved', ctx, { alertId: validId(alertId, 'alertId') });
    const { alerts, source, status, awaitingVerification } = this.state;
    if (alerts.firing === 0 && source === 'alert' && status !== 'resolved' && awaitingVerification.length === 0) {
      this.record('incident.resolved', system(ctx), { note: null, automatic: true });
    }
  }

  // ---- timeline-only records --------------------------------------------------------------

  recordEscalation(target: string, reason: string, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('incident.escalated', ctx, {
      target: validValue(target, 'target'),
      reason: validValue(reason, 'reason', 1000),
    });
  }

  correlateChange(input: CorrelateChangeInput, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('change.correlated', ctx, {
      changeId: validId(input.changeId, 'changeId'),
      summary: validValue(input.summary, 'summary', 10_000),
      service: validService(input.service),
      occurredAt: validDate(input.occurredAt, 'occurredAt').toISOString(),
    });
  }

  recordNotification(outcome: NotificationOutcome, ctx: CommandContext): void {
    checkContext(ctx);
    const data: NotificationData = {
      channel: validValue(outcome.channel, 'channel'),
      recipient: validValue(outcome.recipient, 'recipient'),
    };
    if (outcome.status === 'failed') {
      data.reason = validValue(outcome.reason, 'reason', 1000);
      this.record('notification.failed', ctx, data);
    } else {
      this.record('notification.sent', ctx, data);
    }
  }

  /** Names of the postmortem sections that were edited; none → nothing. */
  recordPostmortemUpdate(sections: readonly string[], ctx: CommandContext): void {
    checkContext(ctx);
    const names = [...new Set(sections.map((s) => validValue(s, 'sections')))];
    if (names.length === 0) return;
    this.record('postmortem.updated', ctx, { sections: names });
  }

  // ---- v2: chat, paging, automation, follow-through ------------------------------------------

  /** Links the incident's own chat channel; linking the same channel again records nothing. */
  linkChatChannel(channel: ChatChannel, ctx: CommandContext): void {
    checkContext(ctx);
    const data = { channelId: validValue(channel.channelId, 'channelId'), channelName: validValue(channel.channelName, 'channelName') };
    const current = this.state.chat;
    if (current && current.channelId === data.channelId && current.channelName === data.channelName) return;
    this.record('incident.chat_linked', ctx, data);
  }

  /** A page started (declared, reopened or raised to an urgent severity) with step 1's targets. */
  recordPage(
    page: { policyId: string; step: number; round: number; responders: readonly string[]; channels: readonly string[] },
    ctx: CommandContext,
  ): void {
    checkContext(ctx);
    this.record('incident.paged', ctx, {
      ...pageStep(page),
      responders: page.responders.map((r) => validHandle(r, 'responders')),
      channels: page.channels.map((c) => validValue(c, 'channels')),
    });
  }

  /** A later step, or a new round, of the incident's escalation policy started. */
  recordEscalationStep(step: { policyId: string; step: number; round: number }, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('incident.escalated', ctx, pageStep(step));
  }

  recordPageOutcome(
    outcome: { status: 'sent' | 'failed'; responder: string; method: PageMethod; reason?: string },
    ctx: CommandContext,
  ): void {
    checkContext(ctx);
    if (!PAGE_METHODS.includes(outcome.method)) {
      throw DomainError.invalid('VALUE_REQUIRED', `method must be one of ${PAGE_METHODS.join(', ')}`, 'method');
    }
    const data = { responder: validHandle(outcome.responder, 'responder'), method: outcome.method };
    if (outcome.status === 'failed') {
      this.record('page.failed', ctx, { ...data, reason: validValue(outcome.reason, 'reason', 1000) });
    } else {
      this.record('page.sent', ctx, data);
    }
  }

  recordPageExhausted(policyId: string, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('page.exhausted', ctx, { policyId: validId(policyId, 'policyId') });
  }

  /** What an automation did for this incident; the automations module owns the rules, the timeline tells them. */
  recordAutomation(event: Pick<AutomationEvent, 'type' | 'data'>, ctx: CommandContext): void {
    checkContext(ctx);
    const data = event.data;
    validId(data.automationId, 'automationId');
    validValue(data.name, 'name');
    if ('reason' in data) validValue(data.reason, 'reason', 1000);
    this.record(event.type, ctx, data as never);
  }

  /** A stakeholder status update; the update cadence counts from the last one. */
  postStatusUpdate(text: string, ctx: CommandContext): void {
    checkContext(ctx);
    this.record('incident.status_update', ctx, { text: validValue(text, 'text', STATUS_UPDATE_MAX) });
  }

  /** The incident went `cadence` without a status update; open incidents only. */
  recordUpdateDue(lapse: { cadence: string; since: Date; remind: string | null }, ctx: CommandContext): void {
    checkContext(ctx);
    if (this.state.status === 'resolved') {
      throw DomainError.conflict('INCIDENT_ALREADY_RESOLVED', 'A resolved incident is never due a status update');
    }
    this.record('incident.update_due', ctx, {
      cadence: validValue(lapse.cadence, 'cadence'),
      since: validDate(lapse.since, 'since').toISOString(),
      remind: lapse.remind === null ? null : validHandle(lapse.remind, 'remind'),
    });
  }

  // ---- internals --------------------------------------------------------------------------

  private assertTransition(to: IncidentStatus): void {
    const from = this.state.status;
    if (canTransition(from, to)) return;
    if (from === 'resolved') {
      throw DomainError.conflict(
        'INCIDENT_ALREADY_RESOLVED',
        `Incident #${this.state.number} is already resolved (resolved → ${to} is not allowed)`,
      );
    }
    throw DomainError.conflict(
      'INVALID_TRANSITION',
      `Incident #${this.state.number} cannot go from ${from} to ${to}`,
    );
  }

  private record<T extends IncidentEventType>(
    type: T,
    ctx: CommandContext,
    data: IncidentEventData<T>,
  ): void {
    const event = { type, actor: ctx.actor, occurredAt: ctx.now, data } as IncidentEvent;
    this.state = evolve(this.state, event);
    this.pending.push(event);
  }
}

function system(ctx: CommandContext): CommandContext {
  return { actor: SYSTEM_ACTOR, now: ctx.now };
}

const PAGE_METHODS: readonly PageMethod[] = ['email', 'slack', 'sms', 'voice'];
const STATUS_UPDATE_MAX = 10_000;

function pageStep(step: { policyId: string; step: number; round: number }) {
  for (const key of ['step', 'round'] as const) {
    if (!Number.isInteger(step[key]) || step[key] < 1) {
      throw DomainError.invalid('INVALID_NUMBER', `${key} must be a whole number from 1`, key);
    }
  }
  return { policyId: validId(step.policyId, 'policyId'), step: step.step, round: step.round };
}
