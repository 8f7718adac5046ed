import { createHash } from 'node:crypto';
import type { AlertSignal } from './sources';

/**
 * What PostgreSQL cannot store, and alerts too large to carry. Text and jsonb refuse NUL
 * (U+0000) and jsonb refuses unpaired UTF-16 surrogates, which JSON bodies can legally carry
 * (`"\u0000"`, `"\ud800"`). Left in, one such alert would fail its consumer batch forever;
 * they become U+FFFD instead.
 */

const REPLACEMENT = '\ufffd';
// JSON.stringify writes NUL as \u0000 and an unpaired surrogate as \udXXX (paired ones stay raw).
const ESCAPED_TROUBLE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;
// eslint-disable-next-line no-control-regex
const RAW_TROUBLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAX_DEPTH = 64;

/**
 * Longest key kept as it is in a btree-indexed column (group key, occurrence, delivery id);
 * PostgreSQL refuses index entries over ~2.7 KB, and a refused row would fail its batch forever.
 */
export const MAX_KEY_BYTES = 512;

/** The key itself, or — when longer than MAX_KEY_BYTES — its start and its SHA-256 (stable, so lookups agree). */
export function boundedKey(value: string): string {
  if (value.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(value) <= MAX_KEY_BYTES) return value;
  return `${truncate(value, 64)}#sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** True when a JSON text (as JSON.stringify writes it) holds NUL or an unpaired surrogate. */
export function needsCleaning(json: string): boolean {
  return ESCAPED_TROUBLE.test(json);
}

export function cleanString(value: string): string {
  return value.replace(RAW_TROUBLE, REPLACEMENT);
}

/** A copy of a JSON value with every string (keys too) cleaned; deeper than 64 levels → null. */
export function cleanJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item) => cleanJson(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[cleanString(key)] = cleanJson(item, depth + 1);
  return out;
}

/** At most `max` characters (code points), marked with an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = [...value];
  return points.length <= max ? value : `${points.slice(0, Math.max(max - 1, 0)).join('')}…`;
}

function truncateMap(map: Record<string, string>, max: number, entries: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map).slice(0, entries)) out[truncate(key, max)] = truncate(value, max);
  return out;
}

/**
 * A signal cut down until its JSON fits `budget` bytes: label / annotation values and texts
 * cut ever shorter, then details dropped, then labels and annotations limited in number.
 * `details.shrunk` records that it happened. Identity, occurrence, status and times are kept.
 */
export function shrinkSignal(signal: AlertSignal, budget: number): AlertSignal {
  const steps: Array<{ max: number; entries: number; keepDetails: boolean }> = [
    { max: 4096, entries: 1000, keepDetails: true },
    { max: 4096, entries: 1000, keepDetails: false },
    { max: 256, entries: 1000, keepDetails: false },
    { max: 64, entries: 100, keepDetails: false },
  ];
  let shrunk = signal;
  for (const step of steps) {
    const cut = (text: string | null) => (text === null ? null : truncate(text, step.max));
    shrunk = {
      ...signal,
      summary: truncate(signal.summary, Math.max(step.max, 1024)),
      description: cut(signal.description),
      runbookUrl: cut(signal.runbookUrl),
      generatorUrl: cut(signal.generatorUrl),
      labels: truncateMap(signal.labels, step.max, step.entries),
      annotations: truncateMap(signal.annotations, step.max, step.entries),
      service: cut(signal.service),
      links: signal.links
        .slice(0, 10)
        .map((l) => ({ href: truncate(l.href, step.max), ...(l.text ? { text: truncate(l.text, step.max) } : {}) })),
      details: step.keepDetails
        ? { ...(cleanJson(truncateDeep(signal.details, step.max)) as Record<string, unknown>), shrunk: true }
        : { shrunk: true, detailsDropped: true },
    };
    if (Buffer.byteLength(JSON.stringify(shrunk)) <= budget) return shrunk;
  }
  return shrunk;
}

function truncateDeep(value: unknown, max: number, depth = 0): unknown {
  if (typeof value === 'string') return truncate(value, max);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 8) return null;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => truncateDeep(v, max, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, 100)
      .map(([k, v]) => [truncate(k, max), truncateDeep(v, max, depth + 1)]),
  );
}
