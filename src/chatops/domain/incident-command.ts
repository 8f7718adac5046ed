import type { Role, Severity } from '../../incidents';

/**
 * `/incident …` as a value: what the text Slack sent asks for. Pure: no lookups; a person is
 * a Slack user id (from a mention) or a handle typed as text, the directory resolves it later.
 */
export type PersonRef = { slackUserId: string } | { handle: string };

export type StatusMove = 'acknowledge' | 'mitigate' | 'resolve';

export type IncidentCommand =
  | { kind: 'declare'; severity: Severity; title: string }
  | { kind: 'move'; move: StatusMove; note: string | null; incidentNumber: number | null }
  | { kind: 'role'; role: Role; person: PersonRef; incidentNumber: number | null }
  | { kind: 'note'; text: string; incidentNumber: number | null }
  | { kind: 'update'; text: string; incidentNumber: number | null }
  | { kind: 'status'; incidentNumber: number | null }
  | { kind: 'oncall'; schedule: string | null }
  | { kind: 'help' };

export type ParsedCommand = { ok: true; command: IncidentCommand } | { ok: false; problem: string };

/** Commands that act on one incident, for the "which incident" rule. */
export function targetNumber(command: IncidentCommand): number | null | undefined {
  return 'incidentNumber' in command ? command.incidentNumber : undefined;
}
