import type { Severity } from '../../incidents';

// The incidents module's order, worst first; its domain is reachable here only as types.
const ORDER: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

export function asSeverity(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return (ORDER as readonly string[]).includes(upper) ? (upper as Severity) : undefined;
}

/** `severity` is `min` or worse. */
export function atOrAbove(severity: Severity, min: Severity): boolean {
  return ORDER.indexOf(severity) <= ORDER.indexOf(min);
}
