import type { OutgoingMessage } from '../platform/messaging/message-transport';
import { SEVERITIES } from '../incidents';
import { ALERT_SOURCES } from './domain/alert-signal';
import type { AlertLink, AlertSeverity, AlertSignal, AlertSignalStatus } from './domain/alert-signal';
import { ALERT_MESSAGE_VERSION, MAX_RECORD_BYTES } from './domain/alert-message-types';
import type { AlertMessage, AlertMessageHead } from './domain/alert-message-types';
import { cleanJson, countCuts, cutToFit, needsCleaning } from './payload-hygiene';

export { ALERT_MESSAGE_VERSION, MAX_RECORD_BYTES } from './domain/alert-message-types';
export type {
  ActionMessage,
  AlertMessage,
  AlertMessageHead,
  AlertMessageKind,
  AlertmanagerDeliveryMeta,
  AnnotationMessage,
  ChangeMessage,
  PagerDutyDeliveryMeta,
  SignalsMessage,
} from './domain/alert-message-types';

/** A signal as it travels: fields the envelope or annotations already give are left out. */
interface WireSignal {
  identity: string;
  /** Absent when `${identity}@${startsAt}`. */
  occurrence?: string;
  status: AlertSignalStatus;
  severity: AlertSeverity;
  /** Absent when equal to annotations.summary. */
  summary?: string;
  /** Absent when equal to annotations.description (or null without one). */
  description?: string | null;
  /** Absent when equal to annotations.runbook_url (or null without one). */
  runbookUrl?: string | null;
  generatorUrl?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  service?: string;
  startsAt: string;
  endsAt?: string;
  links?: AlertLink[];
  /** Absent when equal to the message's `commonDetails`. */
  details?: Record<string, unknown>;
}

export class AlertMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertMessageError';
  }
}

/** Details equal to the common ones: flat objects compared key by key, anything else by JSON. */
function sameDetails(details: Record<string, unknown>, common: Record<string, unknown>, commonJson: string): boolean {
  if (details === common) return true;
  const keys = Object.keys(details);
  if (keys.length !== Object.keys(common).length) return false;
  let flat = true;
  for (const key of keys) {
    const value = details[key];
    if (value !== null && typeof value === 'object') flat = false;
    else if (value !== common[key]) return false;
  }
  return flat || JSON.stringify(details) === commonJson;
}

interface CommonDetails {
  value: Record<string, unknown>;
  json: string;
}

function toWire(signal: AlertSignal, common: CommonDetails | undefined): WireSignal {
  const wire: WireSignal = {
    identity: signal.identity,
    status: signal.status,
    severity: signal.severity,
    labels: signal.labels,
    startsAt: signal.startsAt,
  };
  const annotations = signal.annotations;
  if (signal.occurrence !== `${signal.identity}@${signal.startsAt}`) wire.occurrence = signal.occurrence;
  if (signal.summary !== annotations.summary) wire.summary = signal.summary;
  if (signal.description !== (annotations.description ?? null)) wire.description = signal.description;
  if (signal.runbookUrl !== (annotations.runbook_url ?? null)) wire.runbookUrl = signal.runbookUrl;
  if (signal.generatorUrl !== null) wire.generatorUrl = signal.generatorUrl;
  if (Object.keys(annotations).length > 0) wire.annotations = annotations;
  if (signal.service !== null) wire.service = signal.service;
  if (signal.endsAt !== null) wire.endsAt = signal.endsAt;
  if (signal.links.length > 0) wire.links = signal.links;
  if (common === undefined || !sameDetails(signal.details, common.value, common.json)) wire.details = signal.details;
  return wire;
}

function fromWire(wire: WireSignal, message: AlertMessage, commonDetails: Record<string, unknown>): AlertSignal {
  const annotations = wire.annotations ?? {};
  const has = (key: keyof WireSignal) => Object.prototype.hasOwnProperty.call(wire, key);
  return {
    source: message.source,
    integrationId: message.integrationId,
    identity: wire.identity,
    occurrence: wire.occurrence ?? `${wire.identity}@${wire.startsAt}`,
    groupKey: message.groupKey,
    status: wire.status,
    severity: wire.severity,
    summary: wire.summary ?? annotations.summary ?? wire.identity,
    description: has('description') ? (wire.description ?? null) : (annotations.description ?? null),
    runbookUrl: has('runbookUrl') ? (wire.runbookUrl ?? null) : (annotations.runbook_url ?? null),
    generatorUrl: wire.generatorUrl ?? null,
    labels: wire.labels ?? {},
    annotations,
    service: wire.service ?? null,
    startsAt: wire.startsAt,
    endsAt: wire.endsAt ?? null,
    links: wire.links ?? [],
    details: wire.details ?? commonDetails,
  };
}

/** JSON of a value, cleaned first when it holds what PostgreSQL cannot store (NUL, lone surrogates). */
function cleanStringify(value: unknown): string {
  const json = JSON.stringify(value);
  return needsCleaning(json) ? JSON.stringify(cleanJson(value)) : json;
}

/** What may be cut in a signal that cannot travel whole; identity, status and times never are. */
const SIGNAL_TEXTS: ReadonlyArray<keyof WireSignal & string> = [
  'summary',
  'description',
  'runbookUrl',
  'generatorUrl',
  'labels',
  'annotations',
  'service',
  'links',
  'details',
];
/** Kept whole in a head: what the consumer keys and matches on. */
const HEAD_KEYS = new Set(['service', 'action', 'dedupKey', 'incidentId', 'noteId', 'changeId', 'occurredAt']);
/** A head shared by the records of a delivery takes at most this share of each. */
const HEAD_SHARE = 0.25;
const MAX_ENTRIES_WHEN_SHRUNK = 100;

interface Fitted<T> {
  value: T;
  cut: number;
}

/**
 * A wire signal of at most `budget` bytes of JSON. Its longest texts are cut to one common
 * length (the largest that fits), marked; `details.shrunk` says so. Only when texts cannot
 * make room (the bulk is structure) are details dropped and labels limited in number.
 */
function fitSignal(wire: WireSignal, common: CommonDetails | undefined, budget: number): Fitted<WireSignal> {
  const marked: WireSignal = { ...wire, details: { ...(wire.details ?? common?.value ?? {}), shrunk: true } };
  const fitted = cutToFit(marked, SIGNAL_TEXTS, budget);
  if (fitted) return fitted;
  const first = <V>(map: Record<string, V> | undefined) =>
    map && Object.fromEntries(Object.entries(map).slice(0, MAX_ENTRIES_WHEN_SHRUNK));
  const bare: WireSignal = {
    ...marked,
    labels: first(marked.labels)!,
    annotations: first(marked.annotations),
    links: marked.links?.slice(0, 10),
    details: { shrunk: true, detailsDropped: true },
  };
  const dropped =
    Object.keys(wire.labels).length -
    Object.keys(bare.labels).length +
    Object.keys(wire.annotations ?? {}).length -
    Object.keys(bare.annotations ?? {}).length +
    1;
  const last = cutToFit(bare, SIGNAL_TEXTS, budget);
  return last ? { value: last.value, cut: last.cut + dropped } : { value: bare, cut: dropped };
}

/** The head with its meta's longest texts cut to fit `budget` (group labels, notes, change details). */
function fitHead(head: AlertMessageHead, budget: number): Fitted<AlertMessageHead> {
  const parts = Object.keys(head.meta).filter((key) => !HEAD_KEYS.has(key));
  const envelope = Buffer.byteLength(JSON.stringify(head)) - Buffer.byteLength(JSON.stringify(head.meta));
  const fitted = cutToFit(head.meta, parts, Math.max(budget - envelope, 1024));
  if (!fitted || fitted.cut === 0) return { value: head, cut: 0 };
  return { value: { ...head, meta: fitted.value } as AlertMessageHead, cut: fitted.cut };
}

/**
 * Encodes one delivery of one group as records of at most `maxBytes` each. Signals keep their
 * order and travel whole when a record can carry them; a signal too large for any record has
 * its longest texts cut (marked, counted in `sitrep_alert_values_cut_total`), never its identity.
 */
export function encodeAlertMessages(
  delivery: AlertMessageHead,
  signals: AlertSignal[],
  maxBytes = MAX_RECORD_BYTES,
): OutgoingMessage[] {
  const fittedHead = fitHead(delivery, signals.length > 0 ? Math.floor(maxBytes * HEAD_SHARE) : maxBytes - 1024);
  const head = fittedHead.value;
  let cut = fittedHead.cut;
  const commonJson = signals.length > 1 ? cleanStringify(signals[0].details) : undefined;
  // The cleaned copy: a signal whose details needed cleaning differs from it and is sent whole.
  const common: CommonDetails | undefined =
    commonJson === undefined
      ? undefined
      : { value: JSON.parse(commonJson) as Record<string, unknown>, json: commonJson };
  const meta = common === undefined ? head.meta : { ...head.meta, commonDetails: common.value };
  const headJson = cleanStringify({ ...head, meta, part: { index: 999999, count: 999999 } });
  const overhead = Buffer.byteLength(headJson) + 32;
  const budget = Math.max(maxBytes - overhead, 1024);

  const encoded: Array<{ json: string; bytes: number }> = signals.map((signal) => {
    let json = cleanStringify(toWire(signal, common));
    let bytes = Buffer.byteLength(json);
    if (bytes > budget) {
      const fitted = fitSignal(JSON.parse(json) as WireSignal, common, budget);
      cut += fitted.cut;
      json = cleanStringify(fitted.value);
      bytes = Buffer.byteLength(json);
    }
    return { json, bytes };
  });
  countCuts(delivery.source, 'record_size', cut);
  let nested = 0;
  for (const signal of signals) if (signal.details.nestingCut === true) nested++;
  if (delivery.kind === 'change' && delivery.meta.change.nestingCut === true) nested++;
  countCuts(delivery.source, 'nesting', nested);

  const parts: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const { json, bytes } of encoded) {
    if (current.length > 0 && size + bytes + 1 > budget) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(json);
    size += bytes + 1;
  }
  if (current.length > 0 || parts.length === 0) parts.push(current);

  const base = cleanStringify({ ...head, meta });
  return parts.map((part, index) => {
    const partJson = parts.length > 1 ? `,"part":{"index":${index},"count":${parts.length}}` : '';
    const value = `${base.slice(0, -1)}${partJson},"signals":[${part.join(',')}]}`;
    return {
      key: head.groupKey,
      value,
      headers: { 'sitrep-kind': head.kind, 'sitrep-version': String(ALERT_MESSAGE_VERSION) },
    };
  });
}

const KINDS: readonly string[] = ['signals', 'pd-action', 'pd-annotation', 'change'];
const SOURCES: readonly string[] = ALERT_SOURCES;
const STATUSES: readonly string[] = ['firing', 'resolved', 'acknowledged'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes a record of the alerts topic. Throws AlertMessageError for anything that is not a
 * version-1 message this code understands (the consumer logs and counts it).
 */
export function decodeAlertMessage(value: Buffer | string): AlertMessage {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AlertMessageError('record is not JSON');
  }
  if (needsCleaning(text)) parsed = cleanJson(parsed);
  if (!isRecord(parsed)) throw new AlertMessageError('record is not a JSON object');
  if (parsed.v !== ALERT_MESSAGE_VERSION)
    throw new AlertMessageError(`unsupported version ${JSON.stringify(parsed.v)}`);
  const { kind, integrationId, source, groupKey, receivedAt, signals, meta } = parsed;
  if (typeof kind !== 'string' || !KINDS.includes(kind))
    throw new AlertMessageError(`unknown kind ${JSON.stringify(kind)}`);
  if (typeof integrationId !== 'string' || !/^[0-9a-f-]{36}$/i.test(integrationId)) {
    throw new AlertMessageError('integrationId is not a UUID');
  }
  if (typeof source !== 'string' || !SOURCES.includes(source)) throw new AlertMessageError('unknown source');
  if (typeof groupKey !== 'string' || groupKey === '') throw new AlertMessageError('groupKey missing');
  if (typeof receivedAt !== 'string' || Number.isNaN(Date.parse(receivedAt)))
    throw new AlertMessageError('receivedAt missing');
  if (!Array.isArray(signals)) throw new AlertMessageError('signals is not an array');
  if (!isRecord(meta)) throw new AlertMessageError('meta is not an object');
  const message = parsed as unknown as AlertMessage;
  const commonDetails = isRecord(meta.commonDetails) ? meta.commonDetails : {};
  message.signals = signals.map((raw, i) => {
    if (
      !isRecord(raw) ||
      typeof raw.identity !== 'string' ||
      raw.identity === '' ||
      typeof raw.status !== 'string' ||
      !STATUSES.includes(raw.status) ||
      typeof raw.severity !== 'string' ||
      !(SEVERITIES as readonly unknown[]).includes(raw.severity) ||
      typeof raw.startsAt !== 'string' ||
      Number.isNaN(Date.parse(raw.startsAt))
    ) {
      throw new AlertMessageError(`signals[${i}] is not a signal`);
    }
    return fromWire(raw as unknown as WireSignal, message, commonDetails);
  });
  switch (message.kind) {
    case 'signals':
      break;
    case 'pd-action':
      if (message.meta.action !== 'acknowledge' && message.meta.action !== 'resolve') {
        throw new AlertMessageError('pd-action without a known action');
      }
      if (typeof message.meta.dedupKey !== 'string' || message.meta.dedupKey === '') {
        throw new AlertMessageError('pd-action without dedupKey');
      }
      break;
    case 'pd-annotation':
      if (typeof message.meta.incidentId !== 'string' || typeof message.meta.content !== 'string') {
        throw new AlertMessageError('pd-annotation without incidentId or content');
      }
      break;
    case 'change':
      if (
        typeof message.meta.changeId !== 'string' ||
        !isRecord(message.meta.change) ||
        typeof message.meta.change.summary !== 'string' ||
        Number.isNaN(Date.parse(String(message.meta.change.timestamp)))
      ) {
        throw new AlertMessageError('change without changeId, summary or timestamp');
      }
      break;
    default: {
      const unreachable: never = message;
      return unreachable;
    }
  }
  return message;
}
