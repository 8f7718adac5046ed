/**
 * ISO 8601 durations as paging uses them: weeks, days, hours, minutes, seconds (a day is
 * 24 hours here: a page delay is elapsed time, never wall-clock). Years and months have no
 * fixed length, so they are refused.
 */
const DURATION = /^P(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9}(?:\.\d{1,3})?)S)?)?$/;

/** Milliseconds, or null when `text` is not such a duration. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string' || text === 'P' || text.endsWith('T')) return null;
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, w, d, h, min, s] = m;
  const ms =
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Math.round(Number(s ?? 0) * 1000);
  return Number.isSafeInteger(ms) ? ms : null;
}
