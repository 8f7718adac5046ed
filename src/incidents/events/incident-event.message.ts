import { isIncidentEventType } from '../domain';
import type { IncidentEvent, IncidentEventOf, IncidentEventType } from '../domain';

/**
 * The published incident-event contract: one message per timeline entry on the
 * `incident-events` topic, keyed by incident id, in seq order per incident. Declared once here
 * and decoded once (`decodeIncidentEvent`); every consumer (timeline fan-out, notifications,
 * chat, paging, automation, follow-through) uses this type, never raw JSON.
 *
 * Versioning: `v` changes only when a field changes meaning or shape. A consumer skips (and
 * logs) a `v` it does not know, so an old instance never misreads a new message during a
 * rolling upgrade. Messages written before `v` existed have the v1 shape and decode as v1.
 */
export const INCIDENT_EVENT_VERSION = 1;

type MessageOf<T extends IncidentEventType> = {
  v: typeof INCIDENT_EVENT_VERSION;
  incidentId: string;
  seq: number;
  type: T;
  actor: string;
  /** RFC 3339 */
  occurredAt: string;
  data: IncidentEventOf<T>['data'];
};

/** The message, as a union over every event type: `switch (m.type)` narrows `m.data`. */
export type IncidentEventMessage = { [T in IncidentEventType]: MessageOf<T> }[IncidentEventType];

export function encodeIncidentEvent(entry: {
  incidentId: string;
  seq: number;
  type: string;
  actor: string;
  occurredAt: Date | string;
  data: unknown;
}): IncidentEventMessage {
  return {
    v: INCIDENT_EVENT_VERSION,
    incidentId: entry.incidentId,
    seq: entry.seq,
    type: entry.type,
    actor: entry.actor,
    occurredAt: entry.occurredAt instanceof Date ? entry.occurredAt.toISOString() : entry.occurredAt,
    data: entry.data,
  } as IncidentEventMessage;
}

export type DecodedIncidentEvent = { ok: true; message: IncidentEventMessage } | { ok: false; reason: string };

/**
 * Checks the envelope of a message from the topic. The data of a known type is trusted (only
 * the incident aggregate writes it); anything else is a reason to skip, never an exception.
 */
export function decodeIncidentEvent(value: Buffer | string): DecodedIncidentEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'not an object' };
  const m = parsed as Record<string, unknown>;
  const v = m.v ?? INCIDENT_EVENT_VERSION;
  if (v !== INCIDENT_EVENT_VERSION) return { ok: false, reason: `unknown version ${JSON.stringify(v)}` };
  if (typeof m.incidentId !== 'string' || m.incidentId === '') return { ok: false, reason: 'no incidentId' };
  if (!Number.isInteger(m.seq) || (m.seq as number) < 1) return { ok: false, reason: 'no seq' };
  if (!isIncidentEventType(m.type)) return { ok: false, reason: `unknown type ${JSON.stringify(m.type)}` };
  if (typeof m.actor !== 'string') return { ok: false, reason: 'no actor' };
  if (typeof m.occurredAt !== 'string' || Number.isNaN(Date.parse(m.occurredAt)))
    return { ok: false, reason: 'no occurredAt' };
  if (!m.data || typeof m.data !== 'object' || Array.isArray(m.data)) return { ok: false, reason: 'no data' };
  return { ok: true, message: { ...m, v: INCIDENT_EVENT_VERSION } as IncidentEventMessage };
}

/** The domain event a message carries (for the shared describer and the rules). */
export function eventOfMessage(message: IncidentEventMessage): IncidentEvent {
  return {
    type: message.type,
    actor: message.actor,
    occurredAt: new Date(message.occurredAt),
    data: message.data,
  } as IncidentEvent;
}
