import { randomBytes } from 'node:crypto';
import type { AlertLink, AlertSignal, ChangeEvent } from '../domain/alert-signal';
import { severityFromLevel } from '../domain/alert-signal';
import { cutNesting, isRecord, nonBlank, parseIso8601 } from './payload-checks';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`) and Change Events (`POST /v2/change/enqueue`).
 * Failures carry PagerDuty's own error strings, for its 400 body
 * `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`.
 * The routing key is the credential: the caller resolves it to an integration.
 */

export type PagerDutyEventAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutyEventSeverity = 'critical' | 'error' | 'warning' | 'info';

export const EVENT_SUMMARY_MAX = 1024;
export const EVENT_DEDUP_KEY_MAX = 255;
/**
 * custom_details are kept this many levels deep; deeper subtrees become a marker. PagerDuty
 * documents no depth limit, and refusing would lose the event; storing them whole would let a
 * hostile body overflow the stack wherever the JSON is walked.
 */
export const CUSTOM_DETAILS_MAX_DEPTH = 32;
const ROUTING_KEY_MAX = 255;
const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];

export const PAGERDUTY_ERRORS = {
  notAnObject: 'Event object is invalid (must be a JSON object)',
  routingKeyMissing: "'routing_key' is missing or blank",
  routingKeyInvalid: "'routing_key' is invalid",
  actionMissing: "'event_action' is missing or blank",
  actionInvalid: "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
  dedupKeyMissing: "'dedup_key' is missing or blank",
  dedupKeyInvalid: "'dedup_key' is invalid (must be a string)",
  dedupKeyTooLong: `'dedup_key' is too long (must be at most ${EVENT_DEDUP_KEY_MAX} characters)`,
  payloadInvalid: "'payload' is invalid (must be an object)",
  summaryMissing: "'payload.summary' is missing or blank",
  summaryInvalid: "'payload.summary' is invalid (must be a string)",
  summaryTooLong: `'payload.summary' is too long (must be at most ${EVENT_SUMMARY_MAX} characters)`,
  sourceMissing: "'payload.source' is missing or blank",
  severityMissing: "'payload.severity' is missing or blank",
  severityInvalid:
    "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
  timestampInvalid: "'payload.timestamp' is invalid (must be an ISO 8601 timestamp)",
  imagesInvalid: "'images' is invalid (must be an array)",
  linksInvalid: "'links' is invalid (must be an array)",
  invalidString: (field: string) => `'${field}' is invalid (must be a string)`,
} as const;

export interface PagerDutyEventOptions {
  /** Copied into the signal; '' when the caller fills it in later. */
  integrationId?: string;
  /** Clock for a trigger or change without `payload.timestamp`. */
  now?: () => Date;
  /** dedup_key for a trigger without one; default 32 random hex digits. */
  generateDedupKey?: () => string;
}

export type PagerDutyEventResult =
  | {
      ok: true;
      routingKey: string;
      action: PagerDutyEventAction;
      /** The event's dedup_key, or the generated one (return it in the 202 body). */
      dedupKey: string;
      dedupKeyGenerated: boolean;
      /** Only for `trigger`; acknowledge / resolve act on the alert named by dedupKey. */
      signal?: AlertSignal;
    }
  | { ok: false; errors: string[] };


export type ChangeEventResult = { ok: true; routingKey: string; change: ChangeEvent } | { ok: false; errors: string[] };

export function generateDedupKey(): string {
  return randomBytes(16).toString('hex');
}

/** Whether `value` has more than `max` characters (code points, as PagerDuty counts). */
function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false; // code points ≤ UTF-16 units
  let count = 0;
  for (const _ of value) if (++count > max) return true;
  return false;
}

function routingKey(body: Record<string, unknown>, errors: string[]): string | undefined {
  const value = body.routing_key;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    errors.push(PAGERDUTY_ERRORS.routingKeyMissing);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > ROUTING_KEY_MAX) {
    errors.push(PAGERDUTY_ERRORS.routingKeyInvalid);
    return undefined;
  }
  return value;
}

function summary(payload: Record<string, unknown>, errors: string[]): string | undefined {
  const value = payload.summary;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    errors.push(PAGERDUTY_ERRORS.summaryMissing);
  } else if (typeof value !== 'string') {
    errors.push(PAGERDUTY_ERRORS.summaryInvalid);
  } else if (longerThan(value, EVENT_SUMMARY_MAX)) {
    errors.push(PAGERDUTY_ERRORS.summaryTooLong);
  } else {
    return value;
  }
  return undefined;
}

/** An optional string field: absent, null (→ null) or a string; anything else is an error. */
function optionalString(
  container: Record<string, unknown>,
  key: string,
  field: string,
  errors: string[],
): string | null {
  const value = container[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.push(PAGERDUTY_ERRORS.invalidString(field));
    return null;
  }
  return value;
}

function timestamp(payload: Record<string, unknown>, errors: string[]): string | null {
  const value = payload.timestamp;
  if (value === undefined || value === null || value === '') return null;
  const parsed = parseIso8601(value);
  if (!parsed) {
    errors.push(PAGERDUTY_ERRORS.timestampInvalid);
    return null;
  }
  return parsed.iso;
}

function customDetails(payload: Record<string, unknown>): { value: unknown; cut: boolean } {
  const value = payload.custom_details;
  if (value === undefined) return { value: undefined, cut: false };
  return cutNesting(value, CUSTOM_DETAILS_MAX_DEPTH);
}

/** `links[]` as `{href, text?}`; entries without a string href are skipped. */
function links(body: Record<string, unknown>, errors: string[]): AlertLink[] {
  const value = body.links;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(PAGERDUTY_ERRORS.linksInvalid);
    return [];
  }
  const out: AlertLink[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const href = nonBlank(item.href);
    if (!href) continue;
    const text = nonBlank(item.text);
    out.push(text ? { href, text } : { href });
  }
  return out;
}

/** `images[]` as `{src, href?, alt?}`; entries without a string src are skipped. */
function images(body: Record<string, unknown>, errors: string[]): Array<{ src: string; href?: string; alt?: string }> {
  const value = body.images;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(PAGERDUTY_ERRORS.imagesInvalid);
    return [];
  }
  const out: Array<{ src: string; href?: string; alt?: string }> = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const src = nonBlank(item.src);
    if (!src) continue;
    const image: { src: string; href?: string; alt?: string } = { src };
    const href = nonBlank(item.href);
    const alt = nonBlank(item.alt);
    if (href) image.href = href;
    if (alt) image.alt = alt;
    out.push(image);
  }
  return out;
}

function triggerSignal(
  body: Record<string, unknown>,
  payload: Record<string, unknown>,
  dedupKey: string,
  errors: string[],
  options: PagerDutyEventOptions,
): AlertSignal | undefined {
  const summaryText = summary(payload, errors);

  const source = payload.source;
  let sourceText: string | undefined;
  if (source === undefined || source === null || (typeof source === 'string' && source.trim() === '')) {
    errors.push(PAGERDUTY_ERRORS.sourceMissing);
  } else if (typeof source !== 'string') {
    errors.push(PAGERDUTY_ERRORS.invalidString('payload.source'));
  } else {
    sourceText = source;
  }

  const severity = payload.severity;
  let level: PagerDutyEventSeverity | undefined;
  if (severity === undefined || severity === null || (typeof severity === 'string' && severity.trim() === '')) {
    errors.push(PAGERDUTY_ERRORS.severityMissing);
  } else if (typeof severity !== 'string' || !SEVERITIES.includes(severity.trim().toLowerCase())) {
    errors.push(PAGERDUTY_ERRORS.severityInvalid);
  } else {
    level = severity.trim().toLowerCase() as PagerDutyEventSeverity;
  }

  const startsAt = timestamp(payload, errors);
  const component = optionalString(payload, 'component', 'payload.component', errors);
  const group = optionalString(payload, 'group', 'payload.group', errors);
  const klass = optionalString(payload, 'class', 'payload.class', errors);
  const details = customDetails(payload);
  const client = optionalString(body, 'client', 'client', errors);
  const clientUrl = optionalString(body, 'client_url', 'client_url', errors);
  const eventLinks = links(body, errors);
  const eventImages = images(body, errors);
  if (summaryText === undefined || sourceText === undefined || level === undefined || errors.length > 0)
    return undefined;

  const labels: Record<string, string> = { source: sourceText, severity: level };
  if (component !== null) labels.component = component;
  if (group !== null) labels.group = group;
  if (klass !== null) labels.class = klass;
  const runbook = eventLinks.find((link) => link.text !== undefined && /runbook/i.test(link.text));

  return {
    source: 'pagerduty-events',
    integrationId: options.integrationId ?? '',
    identity: dedupKey,
    occurrence: dedupKey,
    groupKey: dedupKey,
    status: 'firing',
    severity: severityFromLevel(level),
    summary: summaryText,
    description: null,
    runbookUrl: runbook?.href ?? null,
    generatorUrl: nonBlank(clientUrl) ?? null,
    labels,
    annotations: {},
    service: nonBlank(component) ?? null,
    startsAt: startsAt ?? (options.now ?? (() => new Date()))().toISOString(),
    endsAt: null,
    links: eventLinks,
    details: {
      source: sourceText,
      component,
      group,
      class: klass,
      customDetails: details.value ?? null,
      images: eventImages,
      client,
      clientUrl,
      ...(details.cut ? { nestingCut: true } : {}),
    },
  };
}

/**
 * Validates an Events API v2 body (already JSON-parsed; may be anything). A trigger without
 * dedup_key gets a generated one; acknowledge and resolve need one and ignore any payload.
 */
export function normalisePagerDutyEvent(body: unknown, options: PagerDutyEventOptions = {}): PagerDutyEventResult {
  if (!isRecord(body)) return { ok: false, errors: [PAGERDUTY_ERRORS.notAnObject] };
  const errors: string[] = [];
  const key = routingKey(body, errors);

  const rawAction = body.event_action;
  let action: PagerDutyEventAction | undefined;
  if (rawAction === undefined || rawAction === null || (typeof rawAction === 'string' && rawAction.trim() === '')) {
    errors.push(PAGERDUTY_ERRORS.actionMissing);
  } else if (typeof rawAction !== 'string' || !ACTIONS.includes(rawAction.trim().toLowerCase())) {
    errors.push(PAGERDUTY_ERRORS.actionInvalid);
  } else {
    action = rawAction.trim().toLowerCase() as PagerDutyEventAction;
  }

  const rawDedupKey = body.dedup_key;
  let dedupKey: string | undefined;
  let dedupKeyUnusable = false;
  if (rawDedupKey !== undefined && rawDedupKey !== null) {
    if (typeof rawDedupKey !== 'string') {
      errors.push(PAGERDUTY_ERRORS.dedupKeyInvalid);
      dedupKeyUnusable = true;
    } else if (longerThan(rawDedupKey, EVENT_DEDUP_KEY_MAX)) {
      errors.push(PAGERDUTY_ERRORS.dedupKeyTooLong);
      dedupKeyUnusable = true;
    } else if (rawDedupKey.trim() !== '') {
      dedupKey = rawDedupKey;
    }
  }

  let dedupKeyGenerated = false;
  let signal: AlertSignal | undefined;
  if ((action === 'acknowledge' || action === 'resolve') && dedupKey === undefined && !dedupKeyUnusable) {
    errors.push(PAGERDUTY_ERRORS.dedupKeyMissing);
  }
  if (action === 'trigger') {
    if (dedupKey === undefined && !dedupKeyUnusable) {
      dedupKey = (options.generateDedupKey ?? generateDedupKey)();
      dedupKeyGenerated = true;
    }
    const payload = body.payload;
    if (payload === undefined || payload === null) {
      errors.push(PAGERDUTY_ERRORS.summaryMissing, PAGERDUTY_ERRORS.sourceMissing, PAGERDUTY_ERRORS.severityMissing);
    } else if (!isRecord(payload)) {
      errors.push(PAGERDUTY_ERRORS.payloadInvalid);
    } else {
      signal = triggerSignal(body, payload, dedupKey ?? '', errors, options);
    }
  }

  if (errors.length > 0 || key === undefined || action === undefined || dedupKey === undefined) {
    return { ok: false, errors };
  }
  return signal
    ? { ok: true, routingKey: key, action, dedupKey, dedupKeyGenerated, signal }
    : { ok: true, routingKey: key, action, dedupKey, dedupKeyGenerated };
}

/**
 * Validates a Change Events body (`routing_key`, `payload.summary` required; `payload.timestamp`,
 * `payload.source`, `payload.custom_details`, `links[]` optional).
 */
export function normaliseChangeEvent(
  body: unknown,
  options: Pick<PagerDutyEventOptions, 'now'> = {},
): ChangeEventResult {
  if (!isRecord(body)) return { ok: false, errors: [PAGERDUTY_ERRORS.notAnObject] };
  const errors: string[] = [];
  const key = routingKey(body, errors);
  const payload = body.payload;
  let change: ChangeEvent | undefined;
  if (payload === undefined || payload === null) {
    errors.push(PAGERDUTY_ERRORS.summaryMissing);
  } else if (!isRecord(payload)) {
    errors.push(PAGERDUTY_ERRORS.payloadInvalid);
  } else {
    const summaryText = summary(payload, errors);
    const source = optionalString(payload, 'source', 'payload.source', errors);
    const at = timestamp(payload, errors);
    const { value: details, cut } = customDetails(payload);
    const changeLinks = links(body, errors);
    if (summaryText !== undefined && errors.length === 0) {
      const service = isRecord(details) ? nonBlank(details.service) : undefined;
      change = {
        summary: summaryText,
        source: nonBlank(source) ?? null,
        timestamp: at ?? (options.now ?? (() => new Date()))().toISOString(),
        service: service ?? null,
        details: details === undefined ? {} : isRecord(details) ? details : { custom_details: details },
        links: changeLinks,
        ...(cut ? { nestingCut: true } : {}),
      };
    }
  }
  if (errors.length > 0 || key === undefined || change === undefined) return { ok: false, errors };
  return { ok: true, routingKey: key, change };
}
