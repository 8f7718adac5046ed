import type { Severity } from '../../incidents';
import { parseDuration } from './duration';

export type PolicyTarget =
  | { type: 'responder'; handle: string }
  | { type: 'schedule'; scheduleId: string }
  | { type: 'slack_channel'; channel: string };

export interface PolicyStep {
  /** ISO 8601: how long this step waits for an acknowledgement before the next one starts. */
  delay: string;
  targets: PolicyTarget[];
}

/** An escalation policy as a page runs it (a snapshot taken when the page starts). */
export interface PagePolicy {
  id: string;
  repeat: number;
  urgentSeverities: Severity[];
  steps: PolicyStep[];
}

export interface PolicyDefinition {
  name: string;
  default: boolean;
  repeat: number;
  urgentSeverities: Severity[];
  steps: PolicyStep[];
}

export interface FieldProblem {
  path: string;
  problem: string;
}

export const SEVERITY_NAMES: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
export const DEFAULT_URGENT: readonly Severity[] = ['SEV1', 'SEV2'];
export const MAX_STEPS = 20;
export const MAX_TARGETS = 20;
export const MAX_REPEAT = 5;
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 24 * 3_600_000;
const HANDLE = /^[^\s\p{Cc}]{1,100}$/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLACK_CHANNEL = /^(?:#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,30})$/;

/** Text PostgreSQL can store: no NUL, no unpaired UTF-16 surrogate. */
export function isStorableText(text: string): boolean {
  return (
    !text.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)
  );
}

/**
 * Checks a policy body and gives it back with defaults filled in, or lists every problem
 * (each naming its field). Whether named responders and schedules exist is asked elsewhere.
 */
export function checkPolicy(input: unknown): { policy: PolicyDefinition } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const body = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (name.length < 1 || name.length > 200 || !isStorableText(name) || /\p{Cc}/u.test(name)) {
    problems.push({ path: 'name', problem: 'must be 1 to 200 characters without control characters' });
  }
  const isDefault = body.default ?? false;
  if (typeof isDefault !== 'boolean') problems.push({ path: 'default', problem: 'must be true or false' });
  const repeat = body.repeat ?? 0;
  if (!Number.isInteger(repeat) || (repeat as number) < 0 || (repeat as number) > MAX_REPEAT) {
    problems.push({ path: 'repeat', problem: `must be a whole number from 0 to ${MAX_REPEAT}` });
  }
  const urgent = body.urgentSeverities ?? [...DEFAULT_URGENT];
  if (!Array.isArray(urgent) || urgent.some((s) => !SEVERITY_NAMES.includes(s as Severity))) {
    problems.push({ path: 'urgentSeverities', problem: `must be a list of ${SEVERITY_NAMES.join(', ')}` });
  }
  const steps: PolicyStep[] = [];
  if (!Array.isArray(body.steps) || body.steps.length < 1 || body.steps.length > MAX_STEPS) {
    problems.push({ path: 'steps', problem: `must be a list of 1 to ${MAX_STEPS} steps` });
  } else {
    body.steps.forEach((raw, i) => {
      const step = checkStep(raw, `steps[${i}]`, problems);
      if (step) steps.push(step);
    });
  }
  if (problems.length > 0) return { problems };
  return {
    policy: {
      name,
      default: isDefault as boolean,
      repeat: repeat as number,
      urgentSeverities: SEVERITY_NAMES.filter((s) => (urgent as string[]).includes(s)),
      steps,
    },
  };
}

function checkStep(raw: unknown, path: string, problems: FieldProblem[]): PolicyStep | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ path, problem: 'must be an object {delay, targets}' });
    return undefined;
  }
  const step = raw as Record<string, unknown>;
  const delayMs = parseDuration(step.delay);
  const before = problems.length;
  if (delayMs === null || delayMs < MIN_DELAY_MS || delayMs > MAX_DELAY_MS) {
    problems.push({ path: `${path}.delay`, problem: 'must be an ISO 8601 duration from PT1S to P1D, e.g. PT5M' });
  }
  const targets: PolicyTarget[] = [];
  if (!Array.isArray(step.targets) || step.targets.length < 1 || step.targets.length > MAX_TARGETS) {
    problems.push({ path: `${path}.targets`, problem: `must be a list of 1 to ${MAX_TARGETS} targets` });
  } else {
    step.targets.forEach((t, j) => {
      const target = checkTarget(t, `${path}.targets[${j}]`, problems);
      if (target) targets.push(target);
    });
  }
  return problems.length === before ? { delay: step.delay as string, targets } : undefined;
}

function checkTarget(raw: unknown, path: string, problems: FieldProblem[]): PolicyTarget | undefined {
  const t = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  switch (t.type) {
    case 'responder':
      if (typeof t.handle === 'string' && HANDLE.test(t.handle) && isStorableText(t.handle))
        return { type: 'responder', handle: t.handle };
      problems.push({ path: `${path}.handle`, problem: 'must be a responder handle' });
      return undefined;
    case 'schedule':
      if (typeof t.scheduleId === 'string' && UUID.test(t.scheduleId))
        return { type: 'schedule', scheduleId: t.scheduleId.toLowerCase() };
      problems.push({ path: `${path}.scheduleId`, problem: 'must be a schedule id' });
      return undefined;
    case 'slack_channel':
      if (typeof t.channel === 'string' && SLACK_CHANNEL.test(t.channel))
        return { type: 'slack_channel', channel: t.channel };
      problems.push({ path: `${path}.channel`, problem: 'must be a Slack channel id (C…) or #name' });
      return undefined;
    default:
      problems.push({ path: `${path}.type`, problem: 'must be responder, schedule or slack_channel' });
      return undefined;
  }
}
