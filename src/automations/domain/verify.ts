export type VerifyVerdict = 'verified' | 'unverified' | 'pending';

/**
 * After a successful run: every alert of the incident resolved → verified (as soon as that is
 * seen, up to the deadline); the deadline passed with one still firing → unverified.
 */
export function verifyVerdict(alertStatuses: readonly string[], now: Date, deadline: Date): VerifyVerdict {
  const allResolved = alertStatuses.length > 0 && alertStatuses.every((s) => s === 'resolved');
  if (allResolved) return 'verified';
  return now.getTime() >= deadline.getTime() ? 'unverified' : 'pending';
}
