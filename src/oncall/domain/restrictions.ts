import { DAY_MS, localWeekday, MINUTE_MS, parseClock, startOfLocalDay, toInstant, toLocal } from './local-time';
import { DAY_NAMES, type Restriction } from './schedule-definition';

/**
 * The windows a layer covers, from its restrictions: for every local day named in `days`, from
 * `from` that day to `to` the same day, or the next day when `from ≥ to` (an overnight window
 * belongs to the day it starts). Ends resolve like handoffs (gap → the jump, fold → the first
 * occurrence). Turns are cut to these windows but keep advancing outside them.
 */

export interface Interval {
  start: number;
  end: number;
}

/** Overlapping or touching intervals joined, sorted by start. */
export function unite(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const united: Interval[] = [];
  for (const interval of sorted) {
    const last = united[united.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else united.push({ ...interval });
  }
  return united;
}

/** The restriction windows overlapping `[from, to)`, united and clipped to it. */
export function restrictionWindows(restrictions: Restriction[], zone: string, from: number, to: number): Interval[] {
  const windows: Interval[] = [];
  // An overnight window that started the day before `from` may still be open at `from`.
  const lastDay = startOfLocalDay(toLocal(to, zone));
  for (let day = startOfLocalDay(toLocal(from, zone)) - DAY_MS; day <= lastDay; day += DAY_MS) {
    const dayName = DAY_NAMES[localWeekday(day)];
    for (const restriction of restrictions) {
      if (!restriction.days.includes(dayName)) continue;
      const fromMinutes = parseClock(restriction.from);
      const toMinutes = parseClock(restriction.to);
      if (fromMinutes === null || toMinutes === null) continue;
      const start = toInstant(day + fromMinutes * MINUTE_MS, zone);
      const endDay = fromMinutes >= toMinutes ? day + DAY_MS : day;
      const end = toInstant(endDay + toMinutes * MINUTE_MS, zone);
      if (end > from && start < to) windows.push({ start: Math.max(start, from), end: Math.min(end, to) });
    }
  }
  return unite(windows);
}

/** Each turn cut to the windows; a turn outside every window disappears. */
export function clipToWindows<T extends Interval>(turns: T[], windows: Interval[]): T[] {
  const clipped: T[] = [];
  let w = 0;
  for (const turn of turns) {
    while (w < windows.length && windows[w].end <= turn.start) w++;
    for (let i = w; i < windows.length && windows[i].start < turn.end; i++) {
      const start = Math.max(turn.start, windows[i].start);
      const end = Math.min(turn.end, windows[i].end);
      if (end > start) clipped.push({ ...turn, start, end });
    }
  }
  return clipped;
}
