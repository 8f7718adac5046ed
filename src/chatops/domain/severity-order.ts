import { isSeverity, isWorse } from '../../incidents/domain';
import type { Severity } from '../../incidents/domain';

/** A severity as typed in Slack (`sev1` too), or undefined. The order is the incidents' own. */
export function asSeverity(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return isSeverity(upper) ? upper : undefined;
}

/** `severity` is `min` or worse. */
export function atOrAbove(severity: Severity, min: Severity): boolean {
  return !isWorse(min, severity);
}
