import type { AlertSignal, NormaliseResult } from '../domain/alert-signal';
import { severityFromLevel } from '../domain/alert-signal';
import { indexPath, isRecord, kindOf, nonBlank, parseRfc3339, Problems, readStringMap } from './payload-checks';

/**
 * Prometheus Alertmanager webhook, `"version": "4"` (v0.31–v0.34 shapes; unknown fields such
 * as `notification_reason` and `routeLabels` are ignored or passed through in meta).
 */

export type AlertmanagerStatus = 'firing' | 'resolved';

export type AlertmanagerMeta = {
  /** Receiver name with Alertmanager's regexp.QuoteMeta undone (`payments\.webhook` → `payments.webhook`). */
  receiver: string;
  status: AlertmanagerStatus;
  groupKey: string;
  /** Alerts of the group left out by `max_alerts`; > 0 must be shown on the incident. */
  truncatedAlerts: number;
  externalURL: string | null;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  /** Present from Alertmanager v0.32 on (`notification_reason`). */
  notificationReason?: string;
};

/** Go's zero time, which Alertmanager sends as `endsAt` of every firing alert. */
const GO_ZERO_TIME_MS = parseRfc3339('0001-01-01T00:00:00Z')!.ms;
const FINGERPRINT = /^[0-9a-f]{16}$/;
const STATUSES: readonly string[] = ['firing', 'resolved'];

// 64-bit FNV-1a (prometheus/common model/fnv.go), kept as two unsigned 32-bit halves.
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
const FNV_PRIME_LO = 0x1b3; // prime = 2^40 + 0x1b3
const SEPARATOR = Buffer.from([0xff]);

/**
 * Alertmanager's alert fingerprint (prometheus/common `LabelSet.Fingerprint()`): 64-bit
 * FNV-1a over the label names sorted bytewise, each written as name, 0xFF, value, 0xFF;
 * 16 lowercase hex digits. Annotations do not count.
 */
export function alertFingerprint(labels: Record<string, string>): string {
  const names = Object.keys(labels)
    .map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  const add = (bytes: Buffer): void => {
    for (let i = 0; i < bytes.length; i++) {
      lo = (lo ^ bytes[i]) >>> 0;
      // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64
      const low = lo * FNV_PRIME_LO; // < 2^41, exact
      const carry = Math.floor(low / 0x1_0000_0000);
      hi = (Math.imul(hi, FNV_PRIME_LO) + carry + ((lo << 8) >>> 0)) >>> 0;
      lo = low >>> 0;
    }
  };
  for (const { name, bytes } of names) {
    add(bytes);
    add(SEPARATOR);
    add(Buffer.from(labels[name], 'utf8'));
    add(SEPARATOR);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Undoes Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name. */
export function unquoteReceiver(quoted: string): string {
  return quoted.replace(/\\([\s\S])/g, '$1');
}

function optionalString(
  body: Record<string, unknown>,
  key: string,
  path: string,
  problems: Problems,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.add(path, `must be a string, got ${kindOf(value)}`);
    return undefined;
  }
  return value;
}

function status(value: unknown, path: string, problems: Problems): AlertmanagerStatus | undefined {
  if (typeof value === 'string' && STATUSES.includes(value)) return value as AlertmanagerStatus;
  const got = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : kindOf(value);
  problems.add(
    path,
    value === undefined ? 'is required ("firing" or "resolved")' : `must be "firing" or "resolved", got ${got}`,
  );
  return undefined;
}

interface Envelope {
  receiver: string;
  externalURL: string | null;
  truncatedAlerts: number;
}

function normaliseAlert(
  raw: unknown,
  path: string,
  envelope: Envelope,
  groupKey: string,
  integrationId: string,
  problems: Problems,
): AlertSignal | undefined {
  if (!isRecord(raw)) {
    problems.add(path, `must be an object, got ${kindOf(raw)}`);
    return undefined;
  }
  const before = problems.list.length;
  const alertStatus = status(raw.status, `${path}.status`, problems);
  const labels = readStringMap(raw.labels, `${path}.labels`, problems, { required: true });
  const annotations = readStringMap(raw.annotations, `${path}.annotations`, problems);

  const startsAt = parseRfc3339(raw.startsAt);
  if (!startsAt) {
    problems.add(
      `${path}.startsAt`,
      raw.startsAt === undefined ? 'is required (an RFC 3339 timestamp)' : 'must be an RFC 3339 timestamp',
    );
  }
  let endsAt: string | null = null;
  if (raw.endsAt !== undefined && raw.endsAt !== null) {
    const parsed = parseRfc3339(raw.endsAt);
    if (!parsed) problems.add(`${path}.endsAt`, 'must be an RFC 3339 timestamp');
    else if (parsed.ms !== GO_ZERO_TIME_MS) endsAt = parsed.iso;
  }
  const generatorURL = optionalString(raw, 'generatorURL', `${path}.generatorURL`, problems);

  let fingerprint: string | undefined;
  let fingerprintComputed = false;
  if (raw.fingerprint !== undefined && raw.fingerprint !== null && raw.fingerprint !== '') {
    if (typeof raw.fingerprint === 'string' && FINGERPRINT.test(raw.fingerprint)) fingerprint = raw.fingerprint;
    else problems.add(`${path}.fingerprint`, 'must be 16 lowercase hexadecimal digits');
  }

  if (problems.list.length > before || !alertStatus || !labels || !annotations || !startsAt) return undefined;
  if (fingerprint === undefined) {
    fingerprint = alertFingerprint(labels);
    fingerprintComputed = true;
  }

  return {
    source: 'alertmanager',
    integrationId,
    identity: fingerprint,
    occurrence: `${fingerprint}@${startsAt.iso}`,
    groupKey,
    status: alertStatus,
    severity: severityFromLevel(labels.severity),
    summary: nonBlank(annotations.summary) ?? nonBlank(labels.alertname) ?? `Alert ${fingerprint}`,
    description: nonBlank(annotations.description) ?? null,
    runbookUrl: nonBlank(annotations.runbook_url) ?? null,
    generatorUrl: nonBlank(generatorURL) ?? null,
    labels,
    annotations,
    service: nonBlank(labels.service) ?? nonBlank(labels.job) ?? null,
    startsAt: startsAt.iso,
    endsAt: alertStatus === 'firing' ? null : endsAt,
    links: [],
    details: {
      receiver: envelope.receiver,
      externalURL: envelope.externalURL,
      truncatedAlerts: envelope.truncatedAlerts,
      fingerprintComputed,
    },
  };
}

/**
 * Validates an Alertmanager webhook body (already JSON-parsed; may be anything) and turns each
 * alert into a signal. An empty `alerts` array is valid and gives no signals.
 */
export function normaliseAlertmanager(body: unknown, integrationId: string): NormaliseResult<AlertmanagerMeta> {
  const problems = new Problems();
  if (!isRecord(body)) {
    return { ok: false, problems: [{ path: '', problem: `must be a JSON object, got ${kindOf(body)}` }] };
  }

  // A body that is not version 4 (e.g. a v0.32+ `payload:` template) is not worth reading further.
  if (body.version !== '4') {
    const problem =
      body.version === undefined
        ? 'is required (the string "4")'
        : typeof body.version === 'string'
          ? `unsupported webhook version ${JSON.stringify(body.version.slice(0, 20))}; only "4" is accepted`
          : `must be the string "4", got ${kindOf(body.version)}`;
    return { ok: false, problems: [{ path: 'version', problem }] };
  }

  const groupStatus = status(body.status, 'status', problems);
  let groupKey: string | undefined;
  if (typeof body.groupKey !== 'string' || body.groupKey === '') {
    problems.add('groupKey', body.groupKey === undefined ? 'is required' : 'must be a non-empty string');
  } else {
    // Any length: the index columns hold boundedKey(groupKey).
    groupKey = body.groupKey;
  }
  const receiver = optionalString(body, 'receiver', 'receiver', problems) ?? '';
  const externalURL = optionalString(body, 'externalURL', 'externalURL', problems);
  let truncatedAlerts = 0;
  if (body.truncatedAlerts !== undefined && body.truncatedAlerts !== null) {
    if (
      typeof body.truncatedAlerts === 'number' &&
      Number.isSafeInteger(body.truncatedAlerts) &&
      body.truncatedAlerts >= 0
    ) {
      truncatedAlerts = body.truncatedAlerts;
    } else {
      problems.add('truncatedAlerts', 'must be a non-negative integer');
    }
  }
  const groupLabels = readStringMap(body.groupLabels, 'groupLabels', problems);
  const commonLabels = readStringMap(body.commonLabels, 'commonLabels', problems);
  const commonAnnotations = readStringMap(body.commonAnnotations, 'commonAnnotations', problems);

  const envelope: Envelope = {
    receiver: unquoteReceiver(receiver),
    externalURL: nonBlank(externalURL) ?? null,
    truncatedAlerts,
  };
  const signals: AlertSignal[] = [];
  if (!Array.isArray(body.alerts)) {
    problems.add(
      'alerts',
      body.alerts === undefined ? 'is required (an array of alerts)' : `must be an array, got ${kindOf(body.alerts)}`,
    );
  } else {
    for (let i = 0; i < body.alerts.length && !problems.full; i++) {
      const signal = normaliseAlert(
        body.alerts[i],
        indexPath('alerts', i),
        envelope,
        groupKey ?? '',
        integrationId,
        problems,
      );
      if (signal) signals.push(signal);
    }
  }

  if (
    !problems.empty ||
    !groupStatus ||
    groupKey === undefined ||
    !groupLabels ||
    !commonLabels ||
    !commonAnnotations
  ) {
    return { ok: false, problems: problems.list };
  }
  const meta: AlertmanagerMeta = {
    receiver: envelope.receiver,
    status: groupStatus,
    groupKey,
    truncatedAlerts,
    externalURL: envelope.externalURL,
    groupLabels,
    commonLabels,
    commonAnnotations,
  };
  if (typeof body.notification_reason === 'string') meta.notificationReason = body.notification_reason;
  return { ok: true, signals, meta };
}
