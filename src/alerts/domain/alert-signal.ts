import type { Severity } from '../../incidents/domain';

/**
 * The one shape every alert source is normalised into. Plain TypeScript: the normalisers
 * (`sources/`) do no I/O and know nothing of HTTP, persistence or transports.
 */

/** Every alert source we ingest: the one list (integration types and the topic's codec use it). */
export const ALERT_SOURCES = ['alertmanager', 'pagerduty-webhook', 'pagerduty-events'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export type AlertSignalStatus = 'firing' | 'resolved' | 'acknowledged';

/** An alert's severity is an incident severity (SEV1 is the worst). */
export type AlertSeverity = Severity;

export interface AlertLink {
  href: string;
  text?: string;
}

export interface AlertSignal {
  source: AlertSource;
  /** The integration the payload arrived through; filled by the caller where the source cannot know it. */
  integrationId: string;
  /** Alert identity: Alertmanager fingerprint, Events API dedup_key, PagerDuty incident id. */
  identity: string;
  /** One firing occurrence of the alert (Alertmanager: `${fingerprint}@${startsAt}`; otherwise = identity). */
  occurrence: string;
  /** Grouping key (Alertmanager groupKey, Events dedup_key, PagerDuty incident id), not scoped by integration. */
  groupKey: string;
  status: AlertSignalStatus;
  severity: AlertSeverity;
  summary: string;
  description: string | null;
  runbookUrl: string | null;
  generatorUrl: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  service: string | null;
  /** ISO 8601, UTC, millisecond precision. */
  startsAt: string;
  /** ISO 8601; null while firing. */
  endsAt: string | null;
  links: AlertLink[];
  /** Source-specific extras, kept for display and debugging. */
  details: Record<string, unknown>;
}

/** One reason a payload was refused; `path` names the field, e.g. `alerts[3].labels.instance`. */
export interface ValidationProblem {
  path: string;
  problem: string;
}

export type NormaliseResult<M extends Record<string, unknown> = Record<string, unknown>> =
  { ok: true; signals: AlertSignal[]; meta: M } | { ok: false; problems: ValidationProblem[] };

const LEVELS: Record<string, AlertSeverity> = {
  critical: 'SEV1',
  error: 'SEV2',
  warning: 'SEV3',
  info: 'SEV4',
};

/**
 * Maps an alert `severity` label / field to a severity: critical→SEV1, error→SEV2,
 * warning→SEV3, info, missing or anything else→SEV4 (case-insensitive, trimmed).
 */
export function severityFromLevel(level: unknown): AlertSeverity {
  if (typeof level !== 'string') return 'SEV4';
  const key = level.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(LEVELS, key) ? LEVELS[key] : 'SEV4';
}

/** A PagerDuty change event (a deploy), normalised. */
export interface ChangeEvent {
  summary: string;
  source: string | null;
  /** ISO 8601, UTC; the time received when the event has no timestamp. */
  timestamp: string;
  /** custom_details.service when it is a string. */
  service: string | null;
  details: Record<string, unknown>;
  links: AlertLink[];
  /** Set when custom_details nested deeper than CUSTOM_DETAILS_MAX_DEPTH and were cut there. */
  nestingCut?: boolean;
}
