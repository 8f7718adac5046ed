import { DateTime, IANAZone } from 'luxon';

/**
 * Wall-clock times in a schedule's zone. A local time is a zone-less reading of the clock, held
 * as the milliseconds that reading would be in UTC: UTC has no DST, so adding whole days or
 * minutes to it is calendar arithmetic, and the weekday is its UTC weekday. `toInstant` is the
 * one place it meets a zone:
 * - a local time that does not exist (spring forward) resolves to the first valid instant after
 *   it — the moment the clocks jump (02:30 on the New York spring-forward day → 03:00 EDT);
 * - a local time that occurs twice (fall back) resolves to its first occurrence.
 * Zone rules come from Luxon (the runtime's Intl data); nothing here knows an offset.
 */

export type LocalTime = number;

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

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
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return local.getUTCDate() === day && local.getUTCMonth() === month - 1 ? local.getTime() : null;
}

/** `HH:MM` as minutes after midnight, or null. */
export function parseClock(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function inZone(local: LocalTime, zone: string): DateTime {
  const d = new Date(local);
  return DateTime.fromObject(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
    },
    { zone },
  );
}

function sameWallClock(zoned: DateTime, local: LocalTime): boolean {
  return wallClock(zoned) === local;
}

function wallClock(zoned: DateTime): LocalTime {
  return Date.UTC(zoned.year, zoned.month - 1, zoned.day, zoned.hour, zoned.minute);
}

/**
 * Resolving asks the zone's offset several times through Intl, which dominates the cost of a
 * schedule; the answer for a (zone, local minute) never changes within a process, so it is kept.
 */
const resolved = new Map<string, number>();
const RESOLVED_MAX = 100_000;

/** The instant (epoch ms) of a local time in `zone`, with the gap and fold rules above. */
export function toInstant(local: LocalTime, zone: string): number {
  const key = `${zone} ${local}`;
  const known = resolved.get(key);
  if (known !== undefined) return known;
  if (resolved.size >= RESOLVED_MAX) resolved.clear();
  const instant = resolve(local, zone);
  resolved.set(key, instant);
  return instant;
}

function resolve(local: LocalTime, zone: string): number {
  for (let skipped = 0; skipped <= LONGEST_GAP_MINUTES; skipped++) {
    const wanted = local + skipped * MINUTE_MS;
    const zoned = inZone(wanted, zone);
    if (!sameWallClock(zoned, wanted)) continue; // inside a gap: the first valid minute after it is the jump
    const occurrences = zoned.getPossibleOffsets().filter((candidate) => sameWallClock(candidate, wanted));
    return Math.min(zoned.toMillis(), ...occurrences.map((candidate) => candidate.toMillis()));
  }
  throw new Error(`no valid local time within a day after ${formatLocal(local)} in ${zone}`);
}

/** The local wall-clock time (to the minute) of an instant in `zone`, zone-less. */
export function toLocal(instant: number, zone: string): LocalTime {
  return wallClock(DateTime.fromMillis(instant, { zone }));
}

/** Midnight of a local time's day. */
export function startOfLocalDay(local: LocalTime): LocalTime {
  return Math.floor(local / DAY_MS) * DAY_MS;
}

/** 0 = Monday … 6 = Sunday. */
export function localWeekday(local: LocalTime): number {
  return (new Date(local).getUTCDay() + 6) % 7;
}

export function formatLocal(local: LocalTime): string {
  return new Date(local).toISOString().slice(0, 16);
}
