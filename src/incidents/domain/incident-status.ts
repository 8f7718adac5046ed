/** Incident lifecycle: triggered → acknowledged → mitigated → resolved, reopen to triggered. */
export const STATUSES = ['triggered', 'acknowledged', 'mitigated', 'resolved'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

export function isIncidentStatus(value: unknown): value is IncidentStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/**
 * The allowed transitions. Skipping forward is allowed; the only way back is
 * resolved → triggered (reopen). Anything else is a conflict.
 */
export const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  triggered: ['acknowledged', 'mitigated', 'resolved'],
  acknowledged: ['mitigated', 'resolved'],
  mitigated: ['resolved'],
  resolved: ['triggered'],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The moves a responder makes, named as the API names them (`POST …/acknowledge`). */
export const LIFECYCLE_MOVES = ['acknowledge', 'mitigate', 'resolve', 'reopen'] as const;
export type LifecycleMove = (typeof LIFECYCLE_MOVES)[number];

const MOVE_TARGET: Readonly<Record<LifecycleMove, IncidentStatus>> = {
  acknowledge: 'acknowledged',
  mitigate: 'mitigated',
  resolve: 'resolved',
  reopen: 'triggered',
};

/** The moves allowed from `status`, in lifecycle order: what a UI offers as buttons. */
export function allowedMoves(status: IncidentStatus): LifecycleMove[] {
  return LIFECYCLE_MOVES.filter((move) => canTransition(status, MOVE_TARGET[move]));
}
