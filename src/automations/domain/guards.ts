import { DateTime } from 'luxon';
import type { ActiveHours, AutomationGuards, Weekday } from './automation';
import { WEEKDAYS } from './automation';

export const HOUR_MS = 3_600_000;

export interface GuardFacts {
  now: Date;
  /** When this automation's earlier runs were queued (any status). */
  recentRunTimes: readonly Date[];
  /** This occurrence already led to a decision (run, suggestion or skip). */
  occurrenceDecided: boolean;
}

export type GuardVerdict = { allow: true } | { allow: false; reason: string; record: boolean };

/**
 * Whether the automation may act on this alert occurrence now. A repeat of a decided
 * occurrence is dropped silently (`record: false`); a cap or the hours stop it with a reason
 * the timeline shows.
 */
export function checkGuards(guards: AutomationGuards, facts: GuardFacts): GuardVerdict {
  if (facts.occurrenceDecided)
    return { allow: false, reason: 'already decided for this alert occurrence', record: false };
  const inLastHour = runsInLastHour(facts.recentRunTimes, facts.now);
  if (inLastHour >= guards.maxRunsPerHour)
    return {
      allow: false,
      reason: `maxRunsPerHour reached: ${inLastHour} runs in the last hour (limit ${guards.maxRunsPerHour})`,
      record: true,
    };
  if (guards.activeHours && !withinActiveHours(guards.activeHours, facts.now))
    return { allow: false, reason: `outside active hours (${describeHours(guards.activeHours)})`, record: true };
  return { allow: true };
}

/** Runs in the sliding hour ending at `now`. */
export function runsInLastHour(times: readonly Date[], now: Date): number {
  const since = now.getTime() - HOUR_MS;
  return times.filter((t) => t.getTime() > since && t.getTime() <= now.getTime()).length;
}

/**
 * Whether `now` falls in the window, read in its zone. An overnight window (to < from) belongs
 * to the day it starts on: mon 22:00–06:00 covers Tuesday 03:00.
 */
export function withinActiveHours(hours: ActiveHours, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: hours.timeZone });
  if (!local.isValid) return false;
  const minute = local.hour * 60 + local.minute;
  const from = minutes(hours.from);
  const to = minutes(hours.to);
  const today = WEEKDAYS[local.weekday - 1];
  const yesterday = WEEKDAYS[(local.weekday + 5) % 7];
  if (from < to) return hours.days.includes(today) && minute >= from && minute < to;
  return (hours.days.includes(today) && minute >= from) || (hours.days.includes(yesterday as Weekday) && minute < to);
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function describeHours(hours: ActiveHours): string {
  return `${hours.days.join(',')} ${hours.from}–${hours.to} ${hours.timeZone}`;
}
