import { DateTime } from 'luxon';
import type { FieldProblem } from './schedule-definition';

/** RFC 3339 demands the offset; Luxon checks the calendar (no 30 February). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 date-time with an offset as epoch ms, or a problem naming the field. */
export function parseInstant(text: unknown, path: string): number | FieldProblem {
  const parsed =
    typeof text === 'string' && RFC3339.test(text) ? DateTime.fromISO(text.toUpperCase(), { setZone: true }) : null;
  return parsed?.isValid
    ? parsed.toMillis()
    : { path, problem: 'must be an RFC 3339 date-time with an offset, e.g. 2026-12-08T03:21:00Z' };
}
