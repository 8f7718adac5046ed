/**
 * Maintenance windows as the alert rules see them: which services a window silences, and
 * from when to when. Pure: the caller passes the time.
 *
 * A window covers a service while `start <= t < end` and it was neither ended early (DELETE)
 * nor released. While it does, an alert of that service that would declare (or reopen) an
 * incident is stored and held instead; at its end the held ones still firing are planned as
 * if they had just arrived (see AlertBatchPlan.release).
 */

/** A window in force at the batch's time, as the planner needs it. */
export interface ActiveWindow {
  id: string;
  services: readonly string[];
  endsAt: Date;
}

/** The input of POST /api/v1/maintenance-windows once checked. */
export interface MaintenanceWindowInput {
  services: string[];
  start: Date;
  end: Date;
  reason: string;
}

export interface FieldProblem {
  path: string;
  problem: string;
}

export const MAX_SERVICES = 50;
export const REASON_MAX = 2000;
/** A typo in the year must not silence a service for a decade. */
export const MAX_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** The same rule as a service's name (paging's services), after trimming. */
const SERVICE_NAME = /^[^\s\p{Cc}][^\p{Cc}]{0,199}$/u;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const FIELDS = new Set(['services', 'start', 'end', 'reason']);
// Valid JSON that PostgreSQL cannot store: refused here, since the body is not a screened DTO.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function timestamp(value: unknown, path: string, problems: FieldProblem[]): Date | null {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    problems.push({ path, problem: 'must be an RFC 3339 timestamp with an offset, e.g. 2026-03-14T02:00:00Z' });
    return null;
  }
  return new Date(value);
}

/** Checks a window's body; `problems` names every bad field (nothing is written when any). */
export function parseMaintenanceWindow(
  body: unknown,
  now: Date,
): { window: MaintenanceWindowInput } | { problems: FieldProblem[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { problems: [{ path: 'body', problem: 'must be a JSON object' }] };
  }
  const input = body as Record<string, unknown>;
  const problems: FieldProblem[] = Object.keys(input)
    .filter((key) => !FIELDS.has(key))
    .map((key) => ({ path: key, problem: 'is not a field of a maintenance window' }));

  const services: string[] = [];
  if (!Array.isArray(input.services) || input.services.length === 0 || input.services.length > MAX_SERVICES) {
    problems.push({ path: 'services', problem: `must be a list of 1 to ${MAX_SERVICES} service names` });
  } else {
    input.services.forEach((raw, i) => {
      const name = typeof raw === 'string' ? raw.trim() : null;
      if (name === null || !SERVICE_NAME.test(name)) {
        problems.push({
          path: `services[${i}]`,
          problem: 'must be a service name: 1 to 200 characters, no control characters',
        });
      } else if (!services.includes(name)) services.push(name);
    });
  }

  const start = timestamp(input.start, 'start', problems);
  const end = timestamp(input.end, 'end', problems);
  if (start && end) {
    if (end.getTime() <= start.getTime()) problems.push({ path: 'end', problem: 'must be after start' });
    else if (end.getTime() <= now.getTime()) problems.push({ path: 'end', problem: 'must be in the future' });
    else if (end.getTime() - start.getTime() > MAX_WINDOW_MS)
      problems.push({ path: 'end', problem: 'must be at most 90 days after start' });
  }

  const reason = typeof input.reason === 'string' ? input.reason.trim() : null;
  if (reason === null || reason === '' || [...reason].length > REASON_MAX) {
    problems.push({ path: 'reason', problem: `must be a non-empty text of at most ${REASON_MAX} characters` });
  } else if (UNSTORABLE.test(reason)) {
    problems.push({ path: 'reason', problem: 'must not contain NUL characters or unpaired UTF-16 surrogates' });
  }

  if (problems.length > 0 || !start || !end || reason === null) return { problems };
  return { window: { services, start, end, reason } };
}

/**
 * The window holding an alert of `service`: of those covering it, the one ending last, so a
 * held alert moves between overlapping windows as rarely as possible.
 */
export function coveringWindow(windows: readonly ActiveWindow[], service: string | null): ActiveWindow | null {
  if (service === null) return null;
  let found: ActiveWindow | null = null;
  for (const window of windows) {
    if (!window.services.includes(service)) continue;
    if (!found || window.endsAt.getTime() > found.endsAt.getTime()) found = window;
  }
  return found;
}
