import type { PostmortemDraft, StatusEventName } from '../postmortem-draft';

/** "45s", "4m 05s", "1h 02m", "2d 3h"; "—" for null (not reached yet). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(s)}s`;
  return `${sign}${s}s`;
}

/** "2026-03-14 10:02:13 UTC"; "—" for null. */
export function formatTime(value: string | null): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "10:02:13" (UTC), for dense tables. */
export function formatClock(value: string): string {
  return new Date(value).toISOString().slice(11, 19);
}

/** "14 Mar 2026". */
export function formatDay(value: string): string {
  const d = new Date(value);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

export const STATUS_LABELS: Record<StatusEventName, string> = {
  declared: 'Declared',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  reopened: 'Reopened',
};

export const ROLE_TITLES = {
  commander: 'Commander',
  deputy: 'Deputy',
  scribe: 'Scribe',
  communications: 'Communications',
} as const;

/** The headline figures every format shows, in order: [label, value, hint]. */
export function keyFigures(draft: PostmortemDraft): Array<[string, string, string]> {
  const m = draft.metrics;
  const t = draft.times;
  return [
    ['Duration', draft.times.resolvedAt ? formatDuration(m.durationSeconds) : 'ongoing', 'start → resolved'],
    ['Time to detect', formatDuration(m.timeToDetectSeconds), 'start → declared'],
    [
      'Time to acknowledge',
      formatDuration(m.timeToAcknowledgeSeconds),
      t.acknowledgedAt ? 'start → first ack' : 'not acknowledged',
    ],
    [
      'Time to mitigate',
      formatDuration(m.timeToMitigateSeconds),
      t.mitigatedAt ? 'start → mitigated' : 'not mitigated yet',
    ],
    ['Time to resolve', formatDuration(m.timeToResolveSeconds), t.resolvedAt ? 'start → resolved' : 'not resolved yet'],
  ];
}

/** The key times, in order: [label, ISO time or null]. */
export function keyTimes(draft: PostmortemDraft): Array<[string, string | null]> {
  const t = draft.times;
  return [
    [t.startSource === 'first_alert' ? 'Started (first alert)' : 'Started (declared)', t.start],
    ['Detected (declared)', t.detectedAt],
    ['Acknowledged', t.acknowledgedAt],
    ['Mitigated', t.mitigatedAt],
    ['Resolved', t.resolvedAt],
  ];
}

/** The scalar entries of a change's details worth a line each (at most `max`). */
export function detailLines(details: Record<string, unknown>, max = 6): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(details ?? {})) {
    if (out.length >= max) break;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      out.push([key, String(value).slice(0, 200)]);
    }
  }
  return out;
}

/** Only http(s) links become links; anything else (javascript:, data:) stays text. */
export function safeUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** Alerts listed in full in documents; JSON always carries all of them. */
export const DOCUMENT_ALERT_LIMIT = 200;
