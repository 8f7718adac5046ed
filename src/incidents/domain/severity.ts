/** Incident severity: SEV1 is the worst, SEV4 the mildest. */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** True when `a` is strictly worse (more severe) than `b`. */
export function isWorse(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) < SEVERITIES.indexOf(b);
}

/** The worse of two severities. */
export function worst(a: Severity, b: Severity): Severity {
  return isWorse(b, a) ? b : a;
}

const ALERT_LEVELS: Record<string, Severity> = {
  critical: 'SEV1',
  error: 'SEV2',
  warning: 'SEV3',
  info: 'SEV4',
};

/**
 * Maps an alert's `severity` label / field to an incident severity:
 * critical→SEV1, error→SEV2, warning→SEV3, info, missing or unknown→SEV4 (case-insensitive).
 */
export function severityFromAlertLevel(level?: string | null): Severity {
  if (typeof level !== 'string') return 'SEV4';
  const key = level.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(ALERT_LEVELS, key) ? ALERT_LEVELS[key] : 'SEV4';
}
