/**
 * The status-update cadence: an open incident whose severity has a cadence and that has had
 * no status update for that long is due one. A lapse is named by the incident and the instant
 * its clock started (declaration, the last status update, or a reopen), so "once per lapse"
 * follows from a timer keyed by both; a severity change moves the pending lapse, not a fired one.
 */

/** What the cadence needs of an incident, folded from its events. */
export interface CadenceFacts {
  lastSeq: number;
  severity: string;
  open: boolean;
  /** ISO instant the clock started. */
  since: string;
}

export interface CadenceEvent {
  seq: number;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The facts after an event; undefined when the incident is unknown and the event cannot start it. */
export function evolveCadence(facts: CadenceFacts | undefined, event: CadenceEvent): CadenceFacts | undefined {
  if (event.type === 'incident.declared') {
    return { lastSeq: event.seq, severity: String(event.data.severity), open: true, since: event.occurredAt };
  }
  if (!facts) return undefined;
  const next = { ...facts, lastSeq: event.seq };
  switch (event.type) {
    case 'incident.status_update':
      return { ...next, since: event.occurredAt };
    case 'incident.severity_changed':
      return { ...next, severity: String(event.data.to) };
    case 'incident.resolved':
      return { ...next, open: false };
    case 'incident.reopened':
      // A reopened incident starts a fresh clock: its last update may be days old.
      return { ...next, open: true, since: event.occurredAt };
    default:
      return next;
  }
}

/** Whether an event can change the cadence plan (the others only move lastSeq). */
export function affectsCadence(type: string): boolean {
  return (
    type === 'incident.declared' ||
    type === 'incident.status_update' ||
    type === 'incident.severity_changed' ||
    type === 'incident.resolved' ||
    type === 'incident.reopened'
  );
}

export interface Lapse {
  /** The timer key: incident and clock start. */
  key: string;
  dueAt: Date;
  cadence: string;
}

/** When the incident becomes due an update, or null when it never will (resolved, no cadence). */
export function lapseOf(incidentId: string, facts: CadenceFacts, cadences: Partial<Record<string, string>>): Lapse | null {
  if (!facts.open) return null;
  const cadence = cadences[facts.severity];
  if (!cadence) return null;
  const ms = durationMs(cadence);
  if (ms === null) return null;
  return { key: lapseKey(incidentId, facts.since), dueAt: new Date(Date.parse(facts.since) + ms), cadence };
}

export function lapseKey(incidentId: string, since: string): string {
  return `${incidentId}@${new Date(since).toISOString()}`;
}

const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/i;

/** Milliseconds of an ISO 8601 duration of weeks, days, hours, minutes and seconds; null otherwise. */
export function durationMs(iso: string): number | null {
  const m = DURATION.exec(iso);
  if (!m || iso.toUpperCase() === 'P' || /T$/i.test(iso)) return null;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  return ms > 0 ? ms : null;
}
