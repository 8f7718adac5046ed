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
export type IncidentEscalated = EventOf<'incident.escalated', { target: string; reason: string }>;
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
  | PostmortemUpdated;

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
