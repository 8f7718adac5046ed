import type { AutomationAction, AutomationGuards, AutomationMatch, AutomationVerify } from '../domain';

export interface AutomationRow {
  id: string;
  name: string;
  match: AutomationMatch;
  action: AutomationAction;
  mode: 'auto' | 'suggest';
  guards: AutomationGuards;
  verify: AutomationVerify | null;
  enabled: boolean;
  signing_secret: string;
  consecutive_failures: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** What the run executes, fixed when it is queued (arguments already rendered from the alert). */
export type RunRequest =
  | { type: 'webhook'; url: string; timeout: string }
  | { type: 'runner'; script: string; args: Record<string, string>; timeout: string };

export interface RunResult {
  statusCode?: number;
  exitCode?: number | null;
  output: string;
}

export interface RunRow {
  id: string;
  automation_id: string;
  incident_id: string;
  alert_id: string | null;
  action_type: 'webhook' | 'runner';
  request: RunRequest;
  actor: string;
  status: RunStatus;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  lease_until: Date | null;
  runner_id: string | null;
  result: RunResult | null;
  reason: string | null;
  verify_status: 'pending' | 'verified' | 'unverified' | null;
  verify_due_at: Date | null;
}

/** Columns without the signing secret: what lists and views read. */
export const AUTOMATION_COLUMNS = `id, name, match, action, mode, guards, verify, enabled, consecutive_failures, version, created_at, updated_at`;

export interface RunView {
  id: string;
  automationId: string;
  incidentId: string;
  alertId: string | null;
  status: RunStatus;
  actor: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: RunResult | null;
  reason: string | null;
  verification: 'pending' | 'verified' | 'unverified' | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toRunView(row: RunRow): RunView {
  return {
    id: row.id,
    automationId: row.automation_id,
    incidentId: row.incident_id,
    alertId: row.alert_id,
    status: row.status,
    actor: row.actor,
    queuedAt: new Date(row.queued_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    result: row.result,
    reason: row.reason,
    verification: row.verify_status,
  };
}

/** typeorm's `query` gives UPDATE … RETURNING as [rows, count]; SELECT as rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
