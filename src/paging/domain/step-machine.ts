import type { IncidentStatus, PageMethod, Severity } from '../../incidents';
import { parseDuration } from './duration';
import type { PagePolicy } from './policy';

/** Where a page is: `step` and `round` count from 1. */
export interface StepPosition {
  step: number;
  round: number;
}

/** A step's targets resolved to people at the step's start (schedules → whoever is on call then). */
export interface ResolvedStep {
  responders: string[];
  channels: string[];
}

/** What starts a page: the incident event and the incident's severity and status after it. */
export type PageTrigger =
  | { type: 'declared' | 'reopened'; severity: Severity; status: IncidentStatus }
  | { type: 'severity_raised'; from: Severity; severity: Severity; status: IncidentStatus };

/**
 * A page starts when an urgent incident is declared or reopened, or when a `triggered`
 * incident is raised from a severity that is not urgent to one that is (a raise between two
 * urgent severities is the same page going on).
 */
export function startsPage(trigger: PageTrigger, urgent: readonly Severity[]): boolean {
  if (trigger.status !== 'triggered' || !urgent.includes(trigger.severity)) return false;
  return trigger.type !== 'severity_raised' || !urgent.includes(trigger.from);
}

export type StepDecision =
  /** The incident is no longer `triggered`: the page ends and nobody is notified. */
  | { kind: 'stop'; status: IncidentStatus }
  /** Notify the step's people and channels now; the next step is due at `nextDueAt`. */
  | { kind: 'notify'; position: StepPosition; targets: ResolvedStep; nextDueAt: Date; skipped: StepPosition[] }
  /** Every round has run (or nobody was left to notify): `page.exhausted`. */
  | { kind: 'exhausted'; skipped: StepPosition[] };

/**
 * The step machine. Given the policy, the position the page has reached (null: the page is
 * starting), the people each step would reach now, the incident's status and now, it says
 * what happens: a step with nobody to notify is skipped at once, after the last step the policy
 * runs again `repeat` more times, and then the page is exhausted. Each step's targets are
 * resolved at the moment that step starts, which is now for every step this call may skip to.
 */
export function nextStep(input: {
  policy: PagePolicy;
  from: StepPosition | null;
  resolved: readonly ResolvedStep[];
  status: IncidentStatus;
  now: Date;
}): StepDecision {
  const { policy, from, resolved, status, now } = input;
  if (status !== 'triggered') return { kind: 'stop', status };
  const skipped: StepPosition[] = [];
  let position = from ? following(from, policy) : { step: 1, round: 1 };
  while (position.round <= policy.repeat + 1) {
    const targets = resolved[position.step - 1] ?? { responders: [], channels: [] };
    if (targets.responders.length > 0 || targets.channels.length > 0) {
      const delayMs = parseDuration(policy.steps[position.step - 1].delay) ?? 0;
      return { kind: 'notify', position, targets, nextDueAt: new Date(now.getTime() + delayMs), skipped };
    }
    skipped.push(position);
    position = following(position, policy);
  }
  return { kind: 'exhausted', skipped };
}

function following(position: StepPosition, policy: PagePolicy): StepPosition {
  return position.step < policy.steps.length
    ? { step: position.step + 1, round: position.round }
    : { step: 1, round: position.round + 1 };
}

/** A responder's ways of being reached, as the directory has them. */
export interface ContactMethods {
  email: string | null;
  slackUserId: string | null;
  phone: string | null;
}

export interface NotificationRule {
  after: string;
  method: PageMethod;
}

/** One notification of a paged person: this method, this long after the step starts. */
export interface PlannedNotification {
  method: PageMethod;
  afterMs: number;
}

/** The methods a person has: a phone counts as SMS and voice. */
export function methodsOf(contact: ContactMethods): PageMethod[] {
  const methods: PageMethod[] = [];
  if (contact.email) methods.push('email');
  if (contact.slackUserId) methods.push('slack');
  if (contact.phone) methods.push('sms', 'voice');
  return methods;
}

/**
 * How a paged person is notified: by their rules (each method after its delay), or without
 * rules by every method they have, at once. Methods whose channel is off here, or that the
 * person lacks (rules are checked on PUT, but a phone may be removed later), are left out.
 */
export function notificationsFor(
  contact: ContactMethods,
  rules: readonly NotificationRule[],
  enabled: readonly PageMethod[],
): PlannedNotification[] {
  const has = methodsOf(contact).filter((m) => enabled.includes(m));
  if (rules.length === 0) return has.map((method) => ({ method, afterMs: 0 }));
  const planned = rules
    .filter((r) => has.includes(r.method))
    .map((r) => ({ method: r.method, afterMs: parseDuration(r.after) ?? 0 }))
    .sort((a, b) => a.afterMs - b.afterMs);
  // The same method twice at the same delay is one notification.
  return planned.filter((p, i) => planned.findIndex((q) => q.method === p.method && q.afterMs === p.afterMs) === i);
}
