import type { ValidationProblem } from '../domain/alert-signal';

/**
 * The start of a value that is kept whatever happens, in UTF-8 bytes. Longer values are
 * accepted and stored whole when one transport record can carry the alert; otherwise the
 * longest ones are cut, with a visible marker, but not below this (see payload-hygiene.ts).
 * Sources never refuse a value for its length: Alertmanager drops a whole group on any 4xx.
 */
export const KEPT_VALUE_BYTES = 64 * 1024;
/** Validation stops collecting after this many problems so a hostile body cannot make a huge answer. */
export const MAX_PROBLEMS = 100;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a number", "null", "an array"… for problem texts. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/** Collects problems up to MAX_PROBLEMS. */
export class Problems {
  readonly list: ValidationProblem[] = [];

  add(path: string, problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ path, problem });
  }

  get full(): boolean {
    return this.list.length >= MAX_PROBLEMS;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_IN_PATH = 64;

/** `parent.key`, or `parent["odd key"]` when the key is not a plain identifier (long keys are cut). */
export function keyPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key) && key.length <= MAX_KEY_IN_PATH) return parent ? `${parent}.${key}` : key;
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** UTF-8 size without encoding strings that are obviously too long. */
export function exceedsBytes(value: string, max: number): boolean {
  if (value.length > max) return true; // every UTF-16 unit is at least one UTF-8 byte
  return Buffer.byteLength(value, 'utf8') > max;
}

/**
 * Reads a string→string object (labels, annotations, groupLabels…). Absent or null gives `{}`
 * unless `required`. Any number of entries and any length is accepted (the body limit bounds
 * them); `__proto__` is refused as a name, since no source sends it and JavaScript would take
 * it for the object's prototype. Returns undefined when there was a problem.
 */
export function readStringMap(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required?: boolean } = {},
): Record<string, string> | undefined {
  if (value === undefined || value === null) {
    if (options.required) {
      problems.add(path, 'is required (an object of string values)');
      return undefined;
    }
    return {};
  }
  if (!isRecord(value)) {
    problems.add(path, `must be an object of string values, got ${kindOf(value)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const key of Object.keys(value)) {
    if (problems.full) return undefined;
    const entryPath = keyPath(path, key);
    if (key === '__proto__') {
      problems.add(entryPath, 'is a reserved name');
      ok = false;
      continue;
    }
    const entry = value[key];
    if (typeof entry !== 'string') {
      problems.add(entryPath, `must be a string, got ${kindOf(entry)}`);
      ok = false;
      continue;
    }
    out[key] = entry;
  }
  return ok ? out : undefined;
}

/** A non-blank string or undefined. */
export function nonBlank(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A string value of an object field, else null. */
export function stringField(value: unknown, key: string): string | null {
  if (!isRecord(value)) return null;
  const field = value[key];
  return typeof field === 'string' ? field : null;
}

export interface ParsedTime {
  /** Milliseconds since the epoch. */
  ms: number;
  /** UTC ISO 8601 with milliseconds, e.g. `2026-03-14T09:26:53.589Z`. */
  iso: string;
}

// Go's RFC3339Nano as time.Time.UnmarshalJSON reads it: seconds required, fraction optional, Z or ±hh:mm.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
// ISO 8601 as PagerDuty senders write it: also `+0000`, `+00`, a space for T, or no seconds.
const ISO8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;
const MAX_TIMESTAMP_LENGTH = 64;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function build(match: RegExpExecArray): ParsedTime | null {
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0–99 as they are
  date.setUTCHours(hour, minute, second, millis);
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(ms)) return null;
  return { ms, iso: new Date(ms).toISOString() };
}

/** Strict RFC 3339 (Go RFC3339Nano); null when not a valid timestamp. */
export function parseRfc3339(value: unknown): ParsedTime | null {
  if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_LENGTH) return null;
  const match = RFC3339.exec(value);
  return match ? build(match) : null;
}

/** Lenient ISO 8601 date-time with a zone; null when not a valid timestamp. */
export function parseIso8601(value: unknown): ParsedTime | null {
  if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_LENGTH) return null;
  const match = ISO8601.exec(value);
  return match ? build(match) : null;
}

/**
 * True when the JSON value nests objects / arrays deeper than `max` (checked without recursion,
 * so a hostile body cannot overflow the stack here or later in JSON.stringify).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** What stands in for a subtree nested deeper than an ingest source keeps. */
export function nestingCutMarker(maxDepth: number): string {
  return `[nested deeper than ${maxDepth} levels: left out by Sitrep]`;
}

/**
 * The value itself, or — when it nests objects / arrays `maxDepth` levels or deeper — a copy
 * whose deeper subtrees are replaced by a marker string. Recursion stops at `maxDepth`, so a
 * hostile body cannot overflow the stack; `__proto__` keys stay plain own properties.
 */
export function cutNesting(value: unknown, maxDepth: number): { value: unknown; cut: boolean } {
  if (!nestsDeeperThan(value, maxDepth)) return { value, cut: false };
  const marker = nestingCutMarker(maxDepth);
  const copy = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (depth >= maxDepth) return marker;
    if (Array.isArray(node)) return node.map((item) => copy(item, depth + 1));
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, copy(item, depth + 1)]));
  };
  return { value: copy(value, 0), cut: true };
}
