import { clipToWindows, restrictionWindows } from './restrictions';
import { layerTurns } from './rotation';
import type { FieldProblem, ScheduleDefinition } from './schedule-definition';

/**
 * The final schedule: one person at a time.
 *
 *   where …                                         on call is …
 *   an override is in force                         the newest such override's handle
 *   otherwise some layer has somebody               the last such layer (in list order)'s member
 *   otherwise                                       nobody (a gap, left out of the shifts)
 *
 * History: each version of the schedule is in force from its `validFrom` until the next
 * version's (the first from the beginning of time), so a past instant is answered by the version
 * in force then. An override is in force over `[start, end)` but only from when it was created
 * until it was deleted: editing, like adding or removing an override, never rewrites the past.
 * Adjacent pieces with the same person and source are one shift. Every interval is `[start, end)`
 * in epoch milliseconds; `now` never enters: callers pass the instants they mean.
 */

export interface ScheduleVersion {
  /** Epoch ms it took effect; null for the first version, which answers for all time before the next. */
  validFrom: number | null;
  definition: ScheduleDefinition;
}

export interface Override {
  id: string;
  handle: string;
  start: number;
  end: number;
  /** When it was made: it is not in force before. */
  createdAt: number;
  deletedAt: number | null;
  /** Creation order; the higher wins where overrides overlap. */
  seq: number;
}

export interface Shift {
  handle: string;
  start: number;
  end: number;
  /** The layer's name, or `override`. */
  source: string;
}

export const OVERRIDE_SOURCE = 'override';
export const MAX_RANGE_DAYS = 93;
const DAY_MS = 86_400_000;

/** Problems with a `[from, to)` range asked of the shifts endpoint. */
export function checkShiftRange(from: number, to: number): FieldProblem[] {
  if (!(to > from)) return [{ path: 'to', problem: 'must be after from' }];
  if (to - from > MAX_RANGE_DAYS * DAY_MS)
    return [{ path: 'to', problem: `must be at most ${MAX_RANGE_DAYS} days after from` }];
  return [];
}

interface Piece {
  handle: string;
  start: number;
  end: number;
  source: string;
  /** Higher wins: layers by position, overrides above every layer and by creation order. */
  rank: number;
}

function versionPieces(versions: ScheduleVersion[], from: number, to: number): Piece[] {
  const ordered = [...versions].sort((a, b) => (a.validFrom ?? -Infinity) - (b.validFrom ?? -Infinity));
  const pieces: Piece[] = [];
  ordered.forEach((version, v) => {
    const start = Math.max(from, version.validFrom ?? -Infinity);
    const end = Math.min(to, ordered[v + 1]?.validFrom ?? Infinity);
    if (end <= start) return;
    const { timeZone, layers } = version.definition;
    layers.forEach((layer, rank) => {
      let turns = layerTurns(layer, timeZone, start, end);
      if (layer.restrictions?.length)
        turns = clipToWindows(turns, restrictionWindows(layer.restrictions, timeZone, start, end));
      for (const turn of turns) pieces.push({ ...turn, source: layer.name, rank });
    });
  });
  return pieces;
}

function overridePieces(overrides: Override[], from: number, to: number): Piece[] {
  const OVER_EVERY_LAYER = 1e9;
  return overrides.flatMap((override) => {
    const start = Math.max(from, override.start, override.createdAt);
    const end = Math.min(to, override.end, override.deletedAt ?? Infinity);
    return end > start
      ? [{ handle: override.handle, start, end, source: OVERRIDE_SOURCE, rank: OVER_EVERY_LAYER + override.seq }]
      : [];
  });
}

/** The highest-ranked piece wins each stretch between boundaries; the result is merged into shifts. */
function flatten(pieces: Piece[]): Shift[] {
  const boundaries = [...new Set(pieces.flatMap((p) => [p.start, p.end]))].sort((a, b) => a - b);
  const byStart = [...pieces].sort((a, b) => a.start - b.start);
  const open: Piece[] = [];
  const shifts: Shift[] = [];
  let next = 0;
  for (let b = 0; b + 1 < boundaries.length; b++) {
    const [start, end] = [boundaries[b], boundaries[b + 1]];
    while (next < byStart.length && byStart[next].start <= start) open.push(byStart[next++]);
    for (let i = open.length - 1; i >= 0; i--) if (open[i].end <= start) open.splice(i, 1);
    if (open.length === 0) continue;
    const winner = open.reduce((best, p) => (p.rank > best.rank ? p : best));
    const last = shifts[shifts.length - 1];
    if (last && last.end === start && last.handle === winner.handle && last.source === winner.source) last.end = end;
    else shifts.push({ handle: winner.handle, start, end, source: winner.source });
  }
  return shifts;
}

/** The final schedule's shifts in `[from, to)`, clipped to it, gaps left out. */
export function finalShifts(input: {
  versions: ScheduleVersion[];
  overrides: Override[];
  from: number;
  to: number;
}): Shift[] {
  const { versions, overrides, from, to } = input;
  if (!(to > from)) return [];
  return flatten([...versionPieces(versions, from, to), ...overridePieces(overrides, from, to)]);
}

/** How far either side of an instant the whole of its shift is looked for. */
export const SHIFT_LOOKAROUND_MS = 45 * DAY_MS;

/**
 * Who is on call at `at`, with their whole shift (its bounds looked for within 45 days either
 * side; a longer shift is reported cut there), or null in a gap.
 */
export function onCallAt(input: { versions: ScheduleVersion[]; overrides: Override[]; at: number }): Shift | null {
  const { versions, overrides, at } = input;
  const shifts = finalShifts({ versions, overrides, from: at - SHIFT_LOOKAROUND_MS, to: at + SHIFT_LOOKAROUND_MS });
  return shifts.find((shift) => shift.start <= at && at < shift.end) ?? null;
}
