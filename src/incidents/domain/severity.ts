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
