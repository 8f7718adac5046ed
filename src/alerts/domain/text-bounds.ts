import { createHash } from 'node:crypto';

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

/** At most `max` characters (code points), marked with an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = [...value];
  return points.length <= max ? value : `${points.slice(0, Math.max(max - 1, 0)).join('')}…`;
}

