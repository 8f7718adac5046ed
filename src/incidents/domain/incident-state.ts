import type { ActionItem } from './action-item';
import type { ChatChannel, IncidentEvent, IncidentSource } from './incident-events';
import type { IncidentStatus } from './incident-status';
import { emptyRoles } from './roles';
import type { Roles } from './roles';
import type { Severity } from './severity';

/** Everything the rules need, derived from the events alone. Immutable: evolve returns a copy. */
export interface IncidentState {
  readonly number: number;
  readonly title: string;
  readonly summary: string | null;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  readonly service: string | null;
  readonly source: IncidentSource;
  readonly groupKey: string | null;
  readonly roles: Roles;
  readonly createdAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly mitigatedAt: Date | null;
  readonly resolvedAt: Date | null;
  /** When the incident last resolved; kept across a reopen. */
  readonly lastResolvedAt: Date | null;
  readonly alerts: { readonly total: number; readonly firing: number };
  /** In the order they were added. */
  readonly actionItems: ReadonlyMap<string, ActionItem>;
  readonly notes: number;
  /** The incident's own Slack channel, once created. */
  readonly chat: ChatChannel | null;
  /** When the last stakeholder status update was posted (the update cadence counts from it, else from createdAt). */
  readonly lastStatusUpdateAt: Date | null;
  /**
   * Automation runs whose verdict will resolve the incident: while any is pending, the last
   * alert resolving does not resolve it as `system` (the automation does, when verified).
   */
  readonly awaitingVerification: readonly string[];
  /** Number of events applied: the seq of the last one. */
  readonly version: number;
}

function assertNever(value: never): never {
  throw new Error(`Unhandled incident event ${JSON.stringify(value)}`);
}

/**
 * Applies one event. Pure: used both when the aggregate records an event and when it is
 * rehydrated from the timeline, so state is always what the events say.
 */
export function evolve(state: IncidentState | undefined, event: IncidentEvent): IncidentState {
  if (event.type === 'incident.declared') {
    if (state) throw new Error('incident.declared applied to an incident that already exists');
    const { data } = event;
    return {
      number: data.number,
      title: data.title,
      summary: data.summary,
      status: 'triggered',
      severity: data.severity,
      service: data.service,
      source: data.source,
      groupKey: data.groupKey,
      roles: emptyRoles(),
      createdAt: event.occurredAt,
      acknowledgedAt: null,
      mitigatedAt: null,
      resolvedAt: null,
      lastResolvedAt: null,
      alerts: { total: 0, firing: 0 },
      actionItems: new Map(),
      notes: 0,
      chat: null,
      lastStatusUpdateAt: null,
      awaitingVerification: [],
      version: 1,
    };
  }
  if (!state) throw new Error(`${event.type} applied before incident.declared`);
  const s: IncidentState = { ...state, version: state.version + 1 };

  switch (event.type) {
    case 'incident.updated': {
      const { title, summary } = event.data;
      return {
        ...s,
        title: title ? title.to : s.title,
        summary: summary ? summary.to : s.summary,
      };
    }
    case 'incident.severity_changed':
      return { ...s, severity: event.data.to };
    case 'incident.acknowledged':
      return { ...s, status: 'acknowledged', acknowledgedAt: s.acknowledgedAt ?? event.occurredAt };
    case 'incident.mitigated':
      return { ...s, status: 'mitigated', mitigatedAt: s.mitigatedAt ?? event.occurredAt };
    case 'incident.resolved':
      return {
        ...s,
        status: 'resolved',
        resolvedAt: event.occurredAt,
        lastResolvedAt: event.occurredAt,
      };
    case 'incident.reopened':
      // A new cycle: its own acknowledgement, mitigation and resolution times.
      return {
        ...s,
        status: 'triggered',
        acknowledgedAt: null,
        mitigatedAt: null,
        resolvedAt: null,
      };
    case 'incident.role_assigned':
      return { ...s, roles: { ...s.roles, [event.data.role]: event.data.assignee } };
    case 'incident.role_unassigned':
      return { ...s, roles: { ...s.roles, [event.data.role]: null } };
    case 'incident.commander_handoff':
      return { ...s, roles: { ...s.roles, commander: event.data.to, deputy: null } };
    case 'note.added':
      return { ...s, notes: s.notes + 1 };
    case 'action_item.added': {
      const { actionItemId, title, owner, dueDate, status } = event.data;
      const actionItems = new Map(s.actionItems);
      actionItems.set(actionItemId, {
        id: actionItemId,
        title,
        owner,
        dueDate,
        status,
        createdAt: event.occurredAt,
        updatedAt: event.occurredAt,
      });
      return { ...s, actionItems };
    }
    case 'action_item.updated': {
      const { actionItemId, changes } = event.data;
      const item = s.actionItems.get(actionItemId);
      if (!item) throw new Error(`action_item.updated for unknown action item ${actionItemId}`);
      const actionItems = new Map(s.actionItems);
      actionItems.set(actionItemId, { ...item, ...changes, updatedAt: event.occurredAt });
      return { ...s, actionItems };
    }
    case 'alert.attached':
      return {
        ...s,
        alerts: {
          total: s.alerts.total + 1,
          firing: s.alerts.firing + (event.data.firing ? 1 : 0),
        },
      };
    case 'alert.resolved':
      return { ...s, alerts: { ...s.alerts, firing: Math.max(0, s.alerts.firing - 1) } };
    case 'incident.chat_linked':
      return { ...s, chat: { channelId: event.data.channelId, channelName: event.data.channelName } };
    case 'incident.status_update':
      return { ...s, lastStatusUpdateAt: event.occurredAt };
    case 'automation.succeeded':
      return event.data.resolvesOnVerify ? { ...s, awaitingVerification: [...s.awaitingVerification, event.data.runId] } : s;
    case 'automation.verified':
    case 'automation.unverified': {
      const runId = event.data.runId;
      return { ...s, awaitingVerification: s.awaitingVerification.filter((id) => id !== runId) };
    }
    case 'incident.escalated':
    case 'change.correlated':
    case 'notification.sent':
    case 'notification.failed':
    case 'postmortem.updated':
    case 'incident.paged':
    case 'page.sent':
    case 'page.failed':
    case 'page.exhausted':
    case 'automation.suggested':
    case 'automation.started':
    case 'automation.failed':
    case 'automation.skipped':
    case 'incident.update_due':
      // Timeline only: no state beyond the version.
      return s;
    default:
      return assertNever(event);
  }
}
