/**
 * The one shape every alert source is normalised into. Plain TypeScript: the normalisers in
 * this folder do no I/O and know nothing of HTTP, persistence or transports.
 */

export type AlertSource = 'alertmanager' | 'pagerduty-webhook' | 'pagerduty-events';

export type AlertSignalStatus = 'firing' | 'resolved' | 'acknowledged';

/** Same values as the incident severities (SEV1 is the worst). */
export type AlertSeverity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

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
