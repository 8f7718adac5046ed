import type { AlertLink, AlertSeverity, AlertSignal, AlertSignalStatus, NormaliseResult } from '../domain/alert-signal';
import {
  exceedsBytes,
  isRecord,
  kindOf,
  KEPT_VALUE_BYTES,
  nonBlank,
  parseIso8601,
  Problems,
  stringField,
} from './payload-checks';

/**
 * PagerDuty Webhooks V3: one event per delivery, `{event:{id, event_type, resource_type,
 * occurred_at, agent, client, data}}`. Verify the signature first (pagerduty-signature.ts).
 *
 * - incident.triggered / acknowledged / resolved / unacknowledged / reopened: one signal whose
 *   status follows the event type;
 * - incident.reassigned / priority_updated / escalated / delegated: one signal whose status
 *   follows `data.status` (the incident's current state);
 * - incident.annotated (`data` is an `incident_note`): no signal, the note is in `meta.annotation`;
 * - anything else (incident.responder.*, status_update_published, service.*, unknown): valid,
 *   no signal, `meta.ignored` = the event type. PagerDuty drops events answered with a 4xx
 *   and disables the subscription after three, so unknown types must be accepted.
 */

export type PagerDutyNote = {
  incidentId: string;
  noteId: string | null;
  content: string;
  /** PagerDuty cut the note to fit the webhook. */
  trimmed: boolean;
};

export type PagerDutyWebhookMeta = {
  /** Unique per event and stable across redeliveries: the dedupe key for deliveries. */
  eventId: string;
  eventType: string;
  resourceType: string | null;
  occurredAt: string | null;
  agent: { id: string | null; type: string | null; summary: string | null } | null;
  /** Set when the event type carries nothing for incidents (the event type itself). */
  ignored?: string;
  /** Set for incident.annotated. */
  annotation?: PagerDutyNote;
};

type Handling =
  | { kind: 'event-status'; status: AlertSignalStatus }
  | { kind: 'data-status' }
  | { kind: 'annotation' }
  | { kind: 'ignore' };

const EVENT_STATUS: Record<string, AlertSignalStatus> = {
  'incident.triggered': 'firing',
  'incident.unacknowledged': 'firing',
  'incident.reopened': 'firing',
  'incident.acknowledged': 'acknowledged',
  'incident.resolved': 'resolved',
};
const DATA_STATUS_EVENTS: readonly string[] = [
  'incident.reassigned',
  'incident.priority_updated',
  'incident.escalated',
  'incident.delegated',
];
const INCIDENT_STATUS: Record<string, AlertSignalStatus> = {
  triggered: 'firing',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
};

function handlingOf(eventType: string): Handling {
  if (Object.prototype.hasOwnProperty.call(EVENT_STATUS, eventType)) {
    return { kind: 'event-status', status: EVENT_STATUS[eventType] };
  }
  if (DATA_STATUS_EVENTS.includes(eventType)) return { kind: 'data-status' };
  if (eventType === 'incident.annotated') return { kind: 'annotation' };
  return { kind: 'ignore' };
}

const PRIORITY_SEVERITY: Record<string, AlertSeverity> = { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3', P4: 'SEV4', P5: 'SEV4' };

/**
 * Priority P1→SEV1, P2→SEV2, P3→SEV3, P4/P5→SEV4; without a P-style priority, urgency
 * high→SEV2, low→SEV4; otherwise SEV4.
 */
export function pagerDutySeverity(priority: string | null, urgency: string | null): AlertSeverity {
  const key = priority?.trim().toUpperCase();
  if (key && Object.prototype.hasOwnProperty.call(PRIORITY_SEVERITY, key)) return PRIORITY_SEVERITY[key];
  switch (urgency?.trim().toLowerCase()) {
    case 'high':
      return 'SEV2';
    default:
      return 'SEV4';
  }
}

function requiredId(value: unknown, path: string, problems: Problems): string | undefined {
  if (value === undefined || value === null) {
    problems.add(path, 'is required');
  } else if (typeof value !== 'string') {
    problems.add(path, `must be a string, got ${kindOf(value)}`);
  } else if (value.trim() === '') {
    problems.add(path, 'must not be blank');
  } else if (exceedsBytes(value, KEPT_VALUE_BYTES)) {
    // An id is identity: cut, two incidents would become one. PagerDuty's are a few dozen characters.
    problems.add(path, `is longer than ${KEPT_VALUE_BYTES} bytes`);
  } else {
    return value;
  }
  return undefined;
}

/** A string field that may be absent or null; a problem when it is something else. */
function optionalText(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.add(path, `must be a string, got ${kindOf(value)}`);
    return null;
  }
  return value;
}

function referenceSummary(value: unknown): string | null {
  return nonBlank(stringField(value, 'summary')) ?? null;
}

function referenceSummaries(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(referenceSummary).filter((summary): summary is string => summary !== null);
}

function incidentSignal(
  data: Record<string, unknown>,
  status: AlertSignalStatus,
  incidentId: string,
  meta: PagerDutyWebhookMeta,
  title: string | null,
  integrationId: string,
): AlertSignal {
  const priority = referenceSummary(data.priority);
  const urgency = typeof data.urgency === 'string' ? data.urgency : null;
  const service = referenceSummary(data.service);
  const escalationPolicy = referenceSummary(data.escalation_policy);
  const teams = referenceSummaries(data.teams);
  const number = typeof data.number === 'number' && Number.isSafeInteger(data.number) ? data.number : null;
  const htmlUrl = nonBlank(stringField(data, 'html_url')) ?? null;

  const labels: Record<string, string> = {};
  if (urgency) labels.urgency = urgency;
  if (priority) labels.priority = priority;
  if (service) labels.service = service;
  if (escalationPolicy) labels.escalation_policy = escalationPolicy;
  if (teams.length > 0) labels.teams = teams.join(', ');

  const links: AlertLink[] = [];
  const bridge = nonBlank(stringField(data.conference_bridge, 'conference_url'));
  if (bridge) links.push({ href: bridge, text: 'Conference bridge' });

  const startsAt = parseIso8601(data.created_at)?.iso ?? meta.occurredAt ?? '';
  return {
    source: 'pagerduty-webhook',
    integrationId,
    identity: incidentId,
    occurrence: incidentId,
    groupKey: incidentId,
    status,
    severity: pagerDutySeverity(priority, urgency),
    summary:
      nonBlank(title) ?? (number !== null ? `PagerDuty incident #${number}` : `PagerDuty incident ${incidentId}`),
    description: null,
    runbookUrl: null,
    generatorUrl: htmlUrl,
    labels,
    annotations: {},
    service,
    startsAt,
    endsAt: status === 'resolved' ? meta.occurredAt : null,
    links,
    details: {
      eventId: meta.eventId,
      eventType: meta.eventType,
      occurredAt: meta.occurredAt,
      incidentNumber: number,
      incidentKey: nonBlank(stringField(data, 'incident_key')) ?? null,
      htmlUrl,
      pagerDutyStatus: typeof data.status === 'string' ? data.status : null,
      priority,
      urgency,
      escalationPolicy,
      teams,
      assignees: referenceSummaries(data.assignees),
      agent: meta.agent?.summary ?? null,
    },
  };
}

/**
 * Validates a PagerDuty V3 webhook body (already JSON-parsed; may be anything) and turns an
 * incident event into at most one signal. `meta.eventId` identifies the delivery.
 */
export function normalisePagerDutyWebhook(body: unknown, integrationId: string): NormaliseResult<PagerDutyWebhookMeta> {
  const problems = new Problems();
  if (!isRecord(body)) {
    return { ok: false, problems: [{ path: '', problem: `must be a JSON object, got ${kindOf(body)}` }] };
  }
  const event = body.event;
  if (!isRecord(event)) {
    const problem =
      event === undefined ? 'is required (a PagerDuty V3 event)' : `must be an object, got ${kindOf(event)}`;
    return { ok: false, problems: [{ path: 'event', problem }] };
  }

  const eventId = requiredId(event.id, 'event.id', problems);
  const eventType = requiredId(event.event_type, 'event.event_type', problems);
  const resourceType = optionalText(event.resource_type, 'event.resource_type', problems);
  let occurredAt: string | null = null;
  if (event.occurred_at !== undefined && event.occurred_at !== null) {
    occurredAt = parseIso8601(event.occurred_at)?.iso ?? null;
    if (occurredAt === null) problems.add('event.occurred_at', 'must be an ISO 8601 timestamp');
  }
  let agent: PagerDutyWebhookMeta['agent'] = null;
  if (event.agent !== undefined && event.agent !== null) {
    if (!isRecord(event.agent)) problems.add('event.agent', `must be an object or null, got ${kindOf(event.agent)}`);
    else
      agent = {
        id: stringField(event.agent, 'id'),
        type: stringField(event.agent, 'type'),
        summary: stringField(event.agent, 'summary'),
      };
  }
  if (eventId === undefined || eventType === undefined || !problems.empty)
    return { ok: false, problems: problems.list };

  const meta: PagerDutyWebhookMeta = { eventId, eventType, resourceType, occurredAt, agent };
  const handling = handlingOf(eventType);
  if (handling.kind === 'ignore') return { ok: true, signals: [], meta: { ...meta, ignored: eventType } };

  const data = event.data;
  if (!isRecord(data)) {
    problems.add('event.data', data === undefined ? 'is required' : `must be an object, got ${kindOf(data)}`);
    return { ok: false, problems: problems.list };
  }
  if (occurredAt === null) problems.add('event.occurred_at', 'is required');

  switch (handling.kind) {
    case 'annotation': {
      const incident = data.incident;
      let incidentId: string | undefined;
      if (!isRecord(incident))
        problems.add(
          'event.data.incident',
          incident === undefined ? 'is required' : `must be an object, got ${kindOf(incident)}`,
        );
      else incidentId = requiredId(incident.id, 'event.data.incident.id', problems);
      const content = optionalText(data.content, 'event.data.content', problems);
      if (data.content === undefined || data.content === null) problems.add('event.data.content', 'is required');
      const noteId = optionalText(data.id, 'event.data.id', problems);
      if (incidentId === undefined || content === null || !problems.empty)
        return { ok: false, problems: problems.list };
      return {
        ok: true,
        signals: [],
        meta: { ...meta, annotation: { incidentId, noteId, content, trimmed: data.trimmed === true } },
      };
    }
    case 'event-status':
    case 'data-status': {
      if (data.type !== undefined && data.type !== 'incident') {
        problems.add('event.data.type', `must be "incident" for ${eventType}`);
      }
      const incidentId = requiredId(data.id, 'event.data.id', problems);
      const title = optionalText(data.title, 'event.data.title', problems);
      let status: AlertSignalStatus | undefined;
      if (handling.kind === 'event-status') {
        status = handling.status;
      } else if (
        typeof data.status === 'string' &&
        Object.prototype.hasOwnProperty.call(INCIDENT_STATUS, data.status)
      ) {
        status = INCIDENT_STATUS[data.status];
      } else {
        problems.add('event.data.status', 'must be "triggered", "acknowledged" or "resolved"');
      }
      if (data.created_at !== undefined && data.created_at !== null && parseIso8601(data.created_at) === null) {
        problems.add('event.data.created_at', 'must be an ISO 8601 timestamp');
      }
      if (incidentId === undefined || status === undefined || !problems.empty)
        return { ok: false, problems: problems.list };
      return { ok: true, signals: [incidentSignal(data, status, incidentId, meta, title, integrationId)], meta };
    }
    default: {
      const unreachable: never = handling;
      return unreachable;
    }
  }
}
