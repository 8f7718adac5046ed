import { boundedKey, MAX_KEY_BYTES, truncate } from './domain/text-bounds';

export { boundedKey, MAX_KEY_BYTES, truncate };

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

/** UTF-8 bytes of a string as JSON writes it (quotes and escapes included). */
export function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The visible end of a cut value: what was kept of how much. */
export function cutMarker(keptBytes: number, totalBytes: number): string {
  return `…[cut by Sitrep: first ${keptBytes} of ${totalBytes} bytes kept]`;
}
/** Longest marker: two 10-digit numbers. */
export const CUT_MARKER_BYTES = Buffer.byteLength(cutMarker(9_999_999_999, 9_999_999_999)) + 2;

/** The start of `value` of at most `keepBytes` UTF-8 bytes (whole code points), and the marker. */
export function cutText(value: string, keepBytes: number): string {
  const bytes = Buffer.from(value, 'utf8');
  let end = Math.max(0, Math.min(keepBytes, bytes.length));
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--; // not inside a code point
  return `${bytes.subarray(0, end).toString('utf8')}${cutMarker(end, bytes.length)}`;
}

/** Calls `visit` on every string and object key of a JSON value (depth is bounded by its producer). */
function eachText(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') {
    visit(value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) eachText(item, visit);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    visit(key);
    eachText(item, visit);
  }
}

/** A copy with every string and key over `threshold` JSON bytes cut to `keep` bytes; counts the cuts. */
function cutTexts(value: unknown, threshold: number, keep: number, counter: { cut: number }): unknown {
  const cut = (text: string) => {
    if (text.length * 6 + 2 <= threshold || jsonBytes(text) <= threshold) return text;
    counter.cut++;
    return cutText(text, keep);
  };
  if (typeof value === 'string') return cut(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => cutTexts(item, threshold, keep, counter));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    let name = cut(key);
    for (let i = 2; Object.prototype.hasOwnProperty.call(out, name); i++) name = `${cut(key)}#${i}`;
    out[name] = cutTexts(item, threshold, keep, counter);
  }
  return out;
}

/**
 * Makes a JSON value fit `budget` bytes (as JSON.stringify writes it) by cutting only its
 * longest texts, all to the same length — the largest length that fits — each with a marker.
 * So a value with one huge label keeps every other text whole and the huge one as long as the
 * rest allows. `parts` are the fields that may be cut; everything else (identity, times) stays.
 * Returns null when cutting texts cannot make it fit (the bulk is structure, not text).
 */
export function cutToFit<T extends object>(
  value: T,
  parts: ReadonlyArray<string>,
  budget: number,
): { value: T; cut: number } | null {
  const fields = value as Record<string, unknown>;
  let total = Buffer.byteLength(JSON.stringify(value));
  if (total <= budget) return { value, cut: 0 };
  const sizes: number[] = [];
  for (const part of parts) eachText(fields[part], (text) => sizes.push(jsonBytes(text)));
  // What cutting every text above `cap` saves: each keeps `cap` bytes plus a marker.
  const saving = (cap: number) =>
    sizes.reduce((sum, size) => (size > cap + CUT_MARKER_BYTES ? sum + size - cap - CUT_MARKER_BYTES : sum), 0);
  let excess = total - budget;
  for (let attempt = 0; attempt < 8 && excess > 0; attempt++) {
    if (saving(0) < excess) return null;
    let low = 0;
    let high = 0;
    for (const size of sizes) if (size > high) high = size; // no spread: there may be millions
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (saving(mid) >= excess) low = mid;
      else high = mid - 1;
    }
    const counter = { cut: 0 };
    const copy: Record<string, unknown> = { ...fields };
    // Escapes make a text's JSON longer than its bytes: keep a little less than the cap.
    const keep = Math.floor(low * 0.95);
    for (const part of parts) {
      if (copy[part] !== undefined) copy[part] = cutTexts(copy[part], low + CUT_MARKER_BYTES, keep, counter);
    }
    total = Buffer.byteLength(JSON.stringify(copy));
    if (total <= budget) return { value: copy as T, cut: counter.cut };
    excess += total - budget; // ask for that much more next time
  }
  return null;
}

/** Process-wide tally of cut texts, by source and reason, read by the metrics at scrape time. */
const cutTally = new Map<string, { source: string; reason: CutReason; count: number }>();
export type CutReason = 'record_size' | 'nesting';

export function countCuts(source: string, reason: CutReason, count: number): void {
  if (count <= 0) return;
  const key = `${source}\u0000${reason}`;
  const entry = cutTally.get(key) ?? { source, reason, count: 0 };
  entry.count += count;
  cutTally.set(key, entry);
}

export function cutCounts(): ReadonlyArray<{ source: string; reason: CutReason; count: number }> {
  return [...cutTally.values()];
}
