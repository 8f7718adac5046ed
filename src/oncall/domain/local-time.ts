import { DateTime, IANAZone } from 'luxon';

/**
 * Wall-clock times in a schedule's zone. A local time is a zone-less `DateTime` in UTC used only
 * for calendar arithmetic (add days, read the weekday); `toInstant` is the one place it meets a
 * zone:
 * - a local time that does not exist (spring forward) resolves to the first valid instant after
 *   it — the moment the clocks jump (02:30 on the New York spring-forward day → 03:00 EDT);
 * - a local time that occurs twice (fall back) resolves to its first occurrence.
 * Zone rules come from Luxon (the runtime's Intl data); nothing here knows an offset.
 */

export type LocalTime = DateTime;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** The longest stretch of local time any zone has skipped (Samoa dropped a whole day in 2011). */
const LONGEST_GAP_MINUTES = 25 * 60;

export function isTimeZone(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 64 && IANAZone.isValidZone(name);
}

/** `YYYY-MM-DDTHH:MM` as a local time, or null when it is not one (a real calendar date, hours 00–23). */
export function parseLocalDateTime(text: unknown): LocalTime | null {
  if (typeof text !== 'string') return null;
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  if (hour > 23 || minute > 59) return null;
  const local = DateTime.fromObject({ year, month, day, hour, minute }, { zone: 'utc' });
  return local.isValid && local.day === day && local.month === month ? local : null;
}

/** `HH:MM` as minutes after midnight, or null. */
export function parseClock(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function inZone(local: LocalTime, zone: string): DateTime {
  const { year, month, day, hour, minute } = local;
  return DateTime.fromObject({ year, month, day, hour, minute }, { zone });
}

function sameWallClock(zoned: DateTime, local: LocalTime): boolean {
  return (
    zoned.year === local.year &&
    zoned.month === local.month &&
    zoned.day === local.day &&
    zoned.hour === local.hour &&
    zoned.minute === local.minute
  );
}

/** The instant (epoch ms) of a local time in `zone`, with the gap and fold rules above. */
export function toInstant(local: LocalTime, zone: string): number {
  for (let skipped = 0; skipped <= LONGEST_GAP_MINUTES; skipped++) {
    const wanted = skipped === 0 ? local : local.plus({ minutes: skipped });
    const zoned = inZone(wanted, zone);
    if (!sameWallClock(zoned, wanted)) continue; // inside a gap: the first valid minute after it is the jump
    const occurrences = zoned.getPossibleOffsets().filter((candidate) => sameWallClock(candidate, wanted));
    return Math.min(zoned.toMillis(), ...occurrences.map((candidate) => candidate.toMillis()));
  }
  throw new Error(`no valid local time within a day after ${local.toISO()} in ${zone}`);
}

/** The local wall-clock time of an instant in `zone`, zone-less. */
export function toLocal(instant: number, zone: string): LocalTime {
  const zoned = DateTime.fromMillis(instant, { zone });
  return DateTime.fromObject(
    {
      year: zoned.year,
      month: zoned.month,
      day: zoned.day,
      hour: zoned.hour,
      minute: zoned.minute,
      second: zoned.second,
    },
    { zone: 'utc' },
  );
}

export function formatLocal(local: LocalTime): string {
  return local.toFormat("yyyy-MM-dd'T'HH:mm");
}
