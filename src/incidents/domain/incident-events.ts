import type { ActionItemStatus } from './action-item';
import type { Role } from './roles';
import type { Severity } from './severity';

/**
 * The incident's domain events. Each one becomes one timeline row
 * (incident id, seq, type, actor, occurredAt, data); `data` is JSON-serialisable,
 * dates inside it are ISO strings.
 */
interface EventOf<T extends string, D extends object> {
  readonly type: T;
  /** A responder handle, a token name, or `system` for automation. */
  readonly actor: string;
  readonly occurredAt: Date;
  readonly data: D;
}

export type IncidentSource = 'manual' | 'alert';
export const INCIDENT_SOURCES: readonly IncidentSource[] = ['manual', 'alert'];

export interface Change<T> {
  from: T;
  to: T;
}

export type IncidentDeclared = EventOf<
  'incident.declared',
  {
    number: number;
    title: string;
    summary: string | null;
    severity: Severity;
    service: string | null;
    source: IncidentSource;
    groupKey: string | null;
  }
>;
export type IncidentUpdated = EventOf<
  'incident.updated',
  { title?: Change<string>; summary?: Change<string | null> }
>;
export type SeverityChanged = EventOf<
  'incident.severity_changed',
  { from: Severity; to: Severity; reason: string | null }
>;
export type IncidentAcknowledged = EventOf<'incident.acknowledged', { note: string | null }>;
export type IncidentMitigated = EventOf<'incident.mitigated', { note: string | null }>;
export type IncidentResolved = EventOf<
  'incident.resolved',
  { note: string | null; automatic: boolean }
>;
export type IncidentReopened = EventOf<
  'incident.reopened',
  { note: string | null; reason: string | null }
>;
export type RoleAssigned = EventOf<
  'incident.role_assigned',
  { role: Role; assignee: string; previous: string | null }
>;
export type RoleUnassigned = EventOf<'incident.role_unassigned', { role: Role; previous: string }>;
export type CommanderHandedOff = EventOf<
  'incident.commander_handoff',
  { from: string; to: string }
>;
export type NoteAdded = EventOf<'note.added', { noteId: string; text: string; pinned: boolean }>;
export type ActionItemAdded = EventOf<
  'action_item.added',
  {
    actionItemId: string;
    title: string;
    owner: string | null;
    dueDate: string | null;
    status: 'open';
  }
>;
export interface ActionItemChanges {
  title?: string;
  owner?: string | null;
  dueDate?: string | null;
  status?: ActionItemStatus;
}
export type ActionItemUpdated = EventOf<
  'action_item.updated',
  { actionItemId: string; changes: ActionItemChanges }
>;
export type AlertAttached = EventOf<
  'alert.attached',
  {
    alertId: string;
    source: string;
    identity: string;
    summary: string | null;
    severity: Severity;
    firing: boolean;
  }
>;
export type AlertResolved = EventOf<'alert.resolved', { alertId: string }>;
/** v1's single hop (`target`, `reason`), or a step/round of an escalation policy (paging). */
export type EscalationData = { target: string; reason: string } | { policyId: string; step: number; round: number };
export type IncidentEscalated = EventOf<'incident.escalated', EscalationData>;
export type ChangeCorrelated = EventOf<
  'change.correlated',
  { changeId: string; summary: string; service: string | null; occurredAt: string }
>;
export interface NotificationData {
  channel: string;
  recipient: string;
  reason?: string;
}
export type NotificationSent = EventOf<'notification.sent', NotificationData>;
export type NotificationFailed = EventOf<'notification.failed', NotificationData>;
export type PostmortemUpdated = EventOf<'postmortem.updated', { sections: string[] }>;

// ---- v2: chat, paging, automation, follow-through -----------------------------------------

export interface ChatChannel {
  channelId: string;
  channelName: string;
}
export type ChatLinked = EventOf<'incident.chat_linked', ChatChannel>;

export type PageMethod = 'email' | 'slack' | 'sms' | 'voice';
export type IncidentPaged = EventOf<
  'incident.paged',
  { policyId: string; step: number; round: number; responders: string[]; channels: string[] }
>;
export interface PageOutcomeData {
  responder: string;
  method: PageMethod;
  reason?: string;
}
export type PageSent = EventOf<'page.sent', PageOutcomeData>;
export type PageFailed = EventOf<'page.failed', PageOutcomeData>;
export type PageExhausted = EventOf<'page.exhausted', { policyId: string }>;

export interface AutomationRef {
  automationId: string;
  name: string;
}
export type AutomationSuggested = EventOf<'automation.suggested', AutomationRef & { alertId: string | null }>;
export type AutomationStarted = EventOf<'automation.started', AutomationRef & { runId: string }>;
/** `resolvesOnVerify`: this run's verdict, not the last alert resolving, resolves the incident (as the automation). */
export type AutomationSucceeded = EventOf<'automation.succeeded', AutomationRef & { runId: string; resolvesOnVerify?: boolean }>;
export type AutomationFailed = EventOf<'automation.failed', AutomationRef & { runId: string | null; reason: string }>;
export type AutomationSkipped = EventOf<'automation.skipped', AutomationRef & { reason: string }>;
export type AutomationVerified = EventOf<'automation.verified', AutomationRef & { runId: string }>;
export type AutomationUnverified = EventOf<'automation.unverified', AutomationRef & { runId: string }>;

export type StatusUpdatePosted = EventOf<'incident.status_update', { text: string }>;
/** No status update for `cadence` (ISO 8601) since `since`; `remind` is who was reminded, if anybody. */
export type StatusUpdateDue = EventOf<'incident.update_due', { cadence: string; since: string; remind: string | null }>;

export type IncidentEvent =
  | IncidentDeclared
  | IncidentUpdated
  | SeverityChanged
  | IncidentAcknowledged
  | IncidentMitigated
  | IncidentResolved
  | IncidentReopened
  | RoleAssigned
  | RoleUnassigned
  | CommanderHandedOff
  | NoteAdded
  | ActionItemAdded
  | ActionItemUpdated
  | AlertAttached
  | AlertResolved
  | IncidentEscalated
  | ChangeCorrelated
  | NotificationSent
  | NotificationFailed
  | PostmortemUpdated
  | ChatLinked
  | IncidentPaged
  | PageSent
  | PageFailed
  | PageExhausted
  | AutomationSuggested
  | AutomationStarted
  | AutomationSucceeded
  | AutomationFailed
  | AutomationSkipped
  | AutomationVerified
  | AutomationUnverified
  | StatusUpdatePosted
  | StatusUpdateDue;

export type AutomationEvent =
  | AutomationSuggested
  | AutomationStarted
  | AutomationSucceeded
  | AutomationFailed
  | AutomationSkipped
  | AutomationVerified
  | AutomationUnverified;

export type IncidentEventType = IncidentEvent['type'];
export type IncidentEventOf<T extends IncidentEventType> = Extract<IncidentEvent, { type: T }>;
export type IncidentEventData<T extends IncidentEventType> = IncidentEventOf<T>['data'];

// A record keyed by the union, so a new event type that is not listed fails to compile.
const EVENT_TYPES: Record<IncidentEventType, true> = {
  'incident.declared': true,
  'incident.updated': true,
  'incident.severity_changed': true,
  'incident.acknowledged': true,
  'incident.mitigated': true,
  'incident.resolved': true,
  'incident.reopened': true,
  'incident.role_assigned': true,
  'incident.role_unassigned': true,
  'incident.commander_handoff': true,
  'note.added': true,
  'action_item.added': true,
  'action_item.updated': true,
  'alert.attached': true,
  'alert.resolved': true,
  'incident.escalated': true,
  'change.correlated': true,
  'notification.sent': true,
  'notification.failed': true,
  'postmortem.updated': true,
  'incident.chat_linked': true,
  'incident.paged': true,
  'page.sent': true,
  'page.failed': true,
  'page.exhausted': true,
  'automation.suggested': true,
  'automation.started': true,
  'automation.succeeded': true,
  'automation.failed': true,
  'automation.skipped': true,
  'automation.verified': true,
  'automation.unverified': true,
  'incident.status_update': true,
  'incident.update_due': true,
};

/** Every wire type, in the order above. */
export const INCIDENT_EVENT_TYPES = Object.freeze(
  Object.keys(EVENT_TYPES) as IncidentEventType[],
) as readonly IncidentEventType[];

export function isIncidentEventType(value: unknown): value is IncidentEventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_TYPES, value);
}

/**
 * Turns a stored timeline row back into an event. The type is checked; `data` is trusted
 * (it was written by this aggregate).
 */
export function toIncidentEvent(row: {
  type: string;
  actor: string;
  occurredAt: Date | string;
  data: unknown;
}): IncidentEvent {
  if (!isIncidentEventType(row.type)) throw new Error(`Unknown incident event type "${row.type}"`);
  const occurredAt = row.occurredAt instanceof Date ? row.occurredAt : new Date(row.occurredAt);
  return { type: row.type, actor: row.actor, occurredAt, data: row.data } as IncidentEvent;
}
