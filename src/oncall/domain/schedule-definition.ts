import { Duration } from 'luxon';
import { isTimeZone, parseClock, parseLocalDateTime } from './local-time';

/**
 * What a schedule says, as the API takes it: layers of rotations in one time zone. A version of
 * a schedule is one of these with the instant it took effect.
 */

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof DAY_NAMES)[number];

export interface Restriction {
  /** The days a window starts on. */
  days: DayName[];
  /** `HH:MM` local; `from ≥ to` runs past midnight into the next day. */
  from: string;
  to: string;
}

export interface Layer {
  name: string;
  /** Responder handles, taking turns in this order. */
  members: string[];
  /** Local `YYYY-MM-DDTHH:MM`: the first handoff. */
  start: string;
  /** ISO 8601: `PT…H` is elapsed time; `P…D` / `P…W` hand off at the same wall-clock time. */
  rotation: string;
  restrictions?: Restriction[];
}

export interface ScheduleDefinition {
  name: string;
  timeZone: string;
  layers: Layer[];
  notifyShiftStart?: boolean;
}

/** A problem with one field, named by its path in the request body. */
export interface FieldProblem {
  path: string;
  problem: string;
}

export type Rotation = { kind: 'elapsed'; ms: number } | { kind: 'wall-clock'; days: number };

export const MAX_LAYERS = 20;
export const MAX_MEMBERS = 100;
export const MAX_RESTRICTIONS = 50;
const MIN_ELAPSED_MS = 3600_000;
const MAX_DAYS = 366;

const ROTATION_PROBLEM =
  'must be an ISO 8601 duration of whole hours (PT12H, elapsed time) or whole days or weeks (P1D, P1W, wall-clock), from PT1H to P52W';

/** The rotation of a layer, or null when it is not one we take. Months and years are refused: their length is not a turn. */
export function parseRotation(text: unknown): Rotation | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const duration = Duration.fromISO(text);
  if (!duration.isValid) return null;
  const {
    years = 0,
    quarters = 0,
    months = 0,
    weeks = 0,
    days = 0,
    hours = 0,
    minutes = 0,
    seconds = 0,
    milliseconds = 0,
  } = duration.toObject();
  const parts = [years, quarters, months, weeks, days, hours, minutes, seconds, milliseconds];
  if (parts.some((part) => !Number.isInteger(part) || part < 0)) return null;
  if (years || quarters || months || milliseconds) return null;
  const calendar = weeks * 7 + days;
  const clock = (hours * 60 + minutes) * 60_000 + seconds * 1000;
  if (calendar > 0 && clock > 0) return null; // P1DT12H mixes the two kinds of turn
  if (calendar > 0) return calendar <= MAX_DAYS ? { kind: 'wall-clock', days: calendar } : null;
  return clock >= MIN_ELAPSED_MS && clock <= MAX_DAYS * 86_400_000 ? { kind: 'elapsed', ms: clock } : null;
}

function isDayName(value: unknown): value is DayName {
  return typeof value === 'string' && (DAY_NAMES as readonly string[]).includes(value);
}

function checkRestriction(restriction: unknown, path: string): FieldProblem[] {
  if (typeof restriction !== 'object' || restriction === null || Array.isArray(restriction)) {
    return [{ path, problem: 'must be an object {days, from, to}' }];
  }
  const { days, from, to } = restriction as Partial<Record<keyof Restriction, unknown>>;
  const problems: FieldProblem[] = [];
  if (!Array.isArray(days) || days.length === 0 || days.length > 7) {
    problems.push({ path: `${path}.days`, problem: `must list 1 to 7 of ${DAY_NAMES.join(', ')}` });
  } else {
    days.forEach((day, i) => {
      if (!isDayName(day))
        problems.push({ path: `${path}.days[${i}]`, problem: `must be one of ${DAY_NAMES.join(', ')}` });
    });
    if (problems.length === 0 && new Set(days).size !== days.length) {
      problems.push({ path: `${path}.days`, problem: 'must not name a day twice' });
    }
  }
  if (parseClock(from) === null)
    problems.push({ path: `${path}.from`, problem: 'must be a local time HH:MM (00:00–23:59)' });
  if (parseClock(to) === null)
    problems.push({ path: `${path}.to`, problem: 'must be a local time HH:MM (00:00–23:59)' });
  return problems;
}

function checkLayer(layer: unknown, path: string): FieldProblem[] {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
    return [{ path, problem: 'must be an object {name, members, start, rotation, restrictions?}' }];
  }
  const { name, members, start, rotation, restrictions } = layer as Partial<Record<keyof Layer, unknown>>;
  const problems: FieldProblem[] = [];
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    problems.push({ path: `${path}.name`, problem: 'must be 1 to 100 characters' });
  } else if (name === 'override') {
    problems.push({ path: `${path}.name`, problem: 'must not be "override", the source name of overrides' });
  }
  if (!Array.isArray(members) || members.length === 0) {
    problems.push({ path: `${path}.members`, problem: 'must list at least one responder handle' });
  } else if (members.length > MAX_MEMBERS) {
    problems.push({ path: `${path}.members`, problem: `must list at most ${MAX_MEMBERS} handles` });
  } else {
    members.forEach((member, i) => {
      if (typeof member !== 'string' || member.length === 0 || member.length > 100) {
        problems.push({ path: `${path}.members[${i}]`, problem: 'must be a responder handle' });
      }
    });
  }
  if (parseLocalDateTime(start) === null) {
    problems.push({ path: `${path}.start`, problem: 'must be a local date and time YYYY-MM-DDTHH:MM (no offset)' });
  }
  if (parseRotation(rotation) === null) problems.push({ path: `${path}.rotation`, problem: ROTATION_PROBLEM });
  if (restrictions !== undefined) {
    if (!Array.isArray(restrictions) || restrictions.length === 0 || restrictions.length > MAX_RESTRICTIONS) {
      problems.push({
        path: `${path}.restrictions`,
        problem: `must be a list of 1 to ${MAX_RESTRICTIONS} windows, or left out`,
      });
    } else {
      restrictions.forEach((r, i) => problems.push(...checkRestriction(r, `${path}.restrictions[${i}]`)));
    }
  }
  return problems;
}

/**
 * Every problem with a schedule as sent, each naming its field (`layers[1].rotation`). Empty
 * means the definition can be resolved; whether members are responders is the caller's check.
 */
export function checkScheduleDefinition(input: unknown): FieldProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: 'body', problem: 'must be an object {name, timeZone, layers}' }];
  }
  const { name, timeZone, layers, notifyShiftStart } = input as Partial<Record<keyof ScheduleDefinition, unknown>>;
  const problems: FieldProblem[] = [];
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
    problems.push({ path: 'name', problem: 'must be 1 to 200 characters' });
  }
  if (!isTimeZone(timeZone)) {
    problems.push({ path: 'timeZone', problem: 'must be an IANA time zone name such as Europe/Berlin' });
  }
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
    problems.push({ path: 'layers', problem: `must list 1 to ${MAX_LAYERS} layers` });
  } else {
    layers.forEach((layer, i) => problems.push(...checkLayer(layer, `layers[${i}]`)));
    const names = layers.map((layer) => (layer as Partial<Layer> | null)?.name);
    names.forEach((layerName, i) => {
      if (typeof layerName === 'string' && names.indexOf(layerName) !== i) {
        problems.push({ path: `layers[${i}].name`, problem: 'must differ from the other layers’ names' });
      }
    });
  }
  if (notifyShiftStart !== undefined && typeof notifyShiftStart !== 'boolean') {
    problems.push({ path: 'notifyShiftStart', problem: 'must be true or false' });
  }
  return problems;
}
