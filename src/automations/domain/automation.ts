import { Duration } from 'luxon';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;

export interface AutomationMatch {
  services?: string[];
  alertnames?: string[];
  severities?: string[];
  labels?: Record<string, string>;
}

export type AutomationAction =
  | { type: 'webhook'; url: string; timeout: string }
  | { type: 'runner'; script: string; args: Record<string, string>; timeout: string };

export interface ActiveHours {
  timeZone: string;
  days: Weekday[];
  /** HH:MM, local to timeZone; `to` earlier than `from` spans midnight. */
  from: string;
  to: string;
}

export interface AutomationGuards {
  maxRunsPerHour: number;
  activeHours?: ActiveHours;
}

export interface AutomationVerify {
  within: string;
  resolve: boolean;
}

export interface AutomationDefinition {
  name: string;
  match: AutomationMatch;
  action: AutomationAction;
  mode: 'auto' | 'suggest';
  guards: AutomationGuards;
  verify: AutomationVerify | null;
  enabled: boolean;
}

export interface FieldProblem {
  path: string;
  problem: string;
}

/** The runner runs a file of exactly this name in its own directory: no path can be spelled. */
export const SCRIPT_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Argument names become SITREP_ARG_<NAME> environment variables. */
export const ARG_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const DEFAULT_WEBHOOK_TIMEOUT = 'PT10S';
export const DEFAULT_RUNNER_TIMEOUT = 'PT5M';
const MAX_TIMEOUT_MS = 60 * 60_000;
const MAX_WITHIN_MS = 24 * 3_600_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const NAME = /^[^\p{Cc}]{1,200}$/u;
const LIST_ITEM = /^[^\p{Cc}]{1,200}$/u;

export function durationMs(iso: string): number | null {
  const d = Duration.fromISO(iso);
  if (!d.isValid) return null;
  const ms = d.as('milliseconds');
  return Number.isFinite(ms) ? ms : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
/** Text PostgreSQL can store: no NUL, no unpaired surrogate. */
const storable = (s: string) =>
  !s.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function stringList(
  value: unknown,
  path: string,
  problems: FieldProblem[],
  allowed?: readonly string[],
): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    problems.push({ path, problem: 'must be a non-empty list of at most 100 strings' });
    return undefined;
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !LIST_ITEM.test(item) || !storable(item))
      problems.push({ path: `${path}[${i}]`, problem: 'must be text of 1 to 200 characters' });
    else if (allowed && !allowed.includes(item))
      problems.push({ path: `${path}[${i}]`, problem: `must be one of ${allowed.join(', ')}` });
  });
  return value as string[];
}

function stringMap(
  value: unknown,
  path: string,
  problems: FieldProblem[],
  keyPattern?: RegExp,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.keys(value).length > 50) {
    problems.push({ path, problem: 'must be an object of at most 50 string values' });
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (keyPattern && !keyPattern.test(key))
      problems.push({ path: `${path}.${key}`, problem: `name must match ${keyPattern.source}` });
    if (typeof v !== 'string' || v.length > 1000 || !storable(v) || !storable(key))
      problems.push({ path: `${path}.${key}`, problem: 'must be text of at most 1000 characters' });
  }
  return value as Record<string, string>;
}

function timeout(value: unknown, fallback: string, path: string, problems: FieldProblem[]): string {
  if (value === undefined || value === null) return fallback;
  const ms = typeof value === 'string' ? durationMs(value) : null;
  if (ms === null || ms < 1000 || ms > MAX_TIMEOUT_MS) {
    problems.push({ path, problem: 'must be an ISO 8601 duration from PT1S to PT1H' });
    return fallback;
  }
  return value as string;
}

function checkUrl(value: unknown, problems: FieldProblem[]): string {
  if (typeof value !== 'string' || value.length > 2000 || !storable(value)) {
    problems.push({ path: 'action.url', problem: 'must be an http or https URL' });
    return '';
  }
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    if (url.username || url.password) {
      problems.push({ path: 'action.url', problem: 'must not carry credentials (the signature authenticates Sitrep)' });
    }
  } catch {
    problems.push({ path: 'action.url', problem: 'must be an http or https URL' });
  }
  return value;
}

function checkAction(value: unknown, problems: FieldProblem[]): AutomationAction {
  if (!isObject(value) || (value.type !== 'webhook' && value.type !== 'runner')) {
    problems.push({ path: 'action.type', problem: 'must be webhook or runner' });
    return { type: 'webhook', url: '', timeout: DEFAULT_WEBHOOK_TIMEOUT };
  }
  if (value.type === 'webhook') {
    return {
      type: 'webhook',
      url: checkUrl(value.url, problems),
      timeout: timeout(value.timeout, DEFAULT_WEBHOOK_TIMEOUT, 'action.timeout', problems),
    };
  }
  if (typeof value.script !== 'string' || !SCRIPT_NAME.test(value.script))
    problems.push({ path: 'action.script', problem: 'must be a file name matching [a-z0-9][a-z0-9._-]* (no path)' });
  else if (value.script.includes('..')) problems.push({ path: 'action.script', problem: 'must not contain ..' });
  return {
    type: 'runner',
    script: typeof value.script === 'string' ? value.script : '',
    args: stringMap(value.args, 'action.args', problems, ARG_NAME) ?? {},
    timeout: timeout(value.timeout, DEFAULT_RUNNER_TIMEOUT, 'action.timeout', problems),
  };
}

function checkActiveHours(value: unknown, problems: FieldProblem[]): ActiveHours | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.push({ path: 'guards.activeHours', problem: 'must be {timeZone, days, from, to}' });
    return undefined;
  }
  const zone = value.timeZone;
  if (typeof zone !== 'string' || !validZone(zone))
    problems.push({ path: 'guards.activeHours.timeZone', problem: 'must be an IANA time zone' });
  const days =
    value.days === undefined ? [...WEEKDAYS] : stringList(value.days, 'guards.activeHours.days', problems, WEEKDAYS);
  for (const key of ['from', 'to'] as const) {
    if (typeof value[key] !== 'string' || !HHMM.test(value[key] as string))
      problems.push({ path: `guards.activeHours.${key}`, problem: 'must be HH:MM (24-hour)' });
  }
  if (value.from === value.to && typeof value.from === 'string')
    problems.push({ path: 'guards.activeHours.to', problem: 'must differ from from' });
  return {
    timeZone: zone as string,
    days: (days ?? []) as Weekday[],
    from: value.from as string,
    to: value.to as string,
  };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length <= 100;
  } catch {
    return false;
  }
}

/**
 * Checks an automation body (create or replace) and gives it back with defaults filled in, or
 * lists every problem, each naming its field.
 */
export function checkAutomation(input: unknown): { automation: AutomationDefinition } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const body = isObject(input) ? input : {};
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!NAME.test(name) || !storable(name))
    problems.push({ path: 'name', problem: 'must be text of 1 to 200 characters' });

  const rawMatch = body.match === undefined ? {} : body.match;
  const match: AutomationMatch = {};
  if (!isObject(rawMatch)) problems.push({ path: 'match', problem: 'must be an object' });
  else {
    const services = stringList(rawMatch.services, 'match.services', problems);
    const alertnames = stringList(rawMatch.alertnames, 'match.alertnames', problems);
    const severities = stringList(rawMatch.severities, 'match.severities', problems, SEVERITIES);
    const labels = stringMap(rawMatch.labels, 'match.labels', problems);
    if (services) match.services = services;
    if (alertnames) match.alertnames = alertnames;
    if (severities) match.severities = severities;
    if (labels && Object.keys(labels).length > 0) match.labels = labels;
    if (Object.keys(match).length === 0)
      problems.push({ path: 'match', problem: 'must name at least one of services, alertnames, severities, labels' });
  }

  const action = checkAction(body.action, problems);
  const mode = body.mode === undefined ? 'suggest' : body.mode;
  if (mode !== 'auto' && mode !== 'suggest') problems.push({ path: 'mode', problem: 'must be auto or suggest' });

  const rawGuards = body.guards ?? {};
  let guards: AutomationGuards = { maxRunsPerHour: 6 };
  if (!isObject(rawGuards)) problems.push({ path: 'guards', problem: 'must be an object' });
  else {
    const max = rawGuards.maxRunsPerHour ?? 6;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000)
      problems.push({ path: 'guards.maxRunsPerHour', problem: 'must be a whole number from 1 to 1000' });
    const activeHours = checkActiveHours(rawGuards.activeHours, problems);
    guards = { maxRunsPerHour: max as number, ...(activeHours ? { activeHours } : {}) };
  }

  let verify: AutomationVerify | null = null;
  if (body.verify !== undefined && body.verify !== null) {
    if (!isObject(body.verify)) problems.push({ path: 'verify', problem: 'must be {within, resolve}' });
    else {
      const ms = typeof body.verify.within === 'string' ? durationMs(body.verify.within) : null;
      if (ms === null || ms < 1000 || ms > MAX_WITHIN_MS)
        problems.push({ path: 'verify.within', problem: 'must be an ISO 8601 duration from PT1S to PT24H' });
      const resolve = body.verify.resolve ?? false;
      if (typeof resolve !== 'boolean') problems.push({ path: 'verify.resolve', problem: 'must be true or false' });
      verify = { within: body.verify.within as string, resolve: resolve as boolean };
    }
  }
  const enabled = body.enabled ?? true;
  if (typeof enabled !== 'boolean') problems.push({ path: 'enabled', problem: 'must be true or false' });

  if (problems.length > 0) return { problems };
  return {
    automation: { name, match, action, mode: mode as 'auto' | 'suggest', guards, verify, enabled: enabled as boolean },
  };
}
