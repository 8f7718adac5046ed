/**
 * Notification rules: which incident events tell whom, on which channel. Plain TypeScript (the
 * config loader validates a rules file with it at boot).
 *
 * A rule matches an event type (`when`) and, optionally, the incident's worst severity so far
 * (`minSeverity`) and its service (`services`); it then sends to targets:
 * - `slack:channel` posts the incident's root message in `slackChannel` (default SLACK_CHANNEL;
 *   `{service}` is replaced by the incident's service). That message starts the incident's thread.
 * - `slack:thread` replies in every thread the incident has and updates their root messages.
 * - `slack:dm` / `email:person` reach the person the event is about: the assignee of
 *   `incident.role_assigned`, the new commander of `incident.commander_handoff`, the deputy of
 *   `incident.escalated`. Nobody is told about their own action.
 * - `email:list` mails each address of `emailTo` (default NOTIFY_EMAIL_TO).
 * - `fallback` targets are used when the person targets reached nobody.
 *
 * A rule on `incident.declared` fires once per incident, when the incident first reaches its
 * `minSeverity`: at declaration, or on the severity change that makes it that severe.
 */
export const SEVERITY_ORDER = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type RuleSeverity = (typeof SEVERITY_ORDER)[number];

export const TARGETS = ['slack:channel', 'slack:thread', 'slack:dm', 'email:person', 'email:list'] as const;
export type Target = (typeof TARGETS)[number];

export interface NotificationRule {
  when: string[];
  minSeverity?: RuleSeverity;
  services?: string[];
  /** For `incident.role_assigned`: only these roles. */
  roles?: string[];
  send: Target[];
  fallback?: Target[];
  slackChannel?: string;
  emailTo?: string[];
}

/** The event types a rule may name: incident changes that people may want to hear about. */
export const RULE_EVENTS = [
  'incident.declared',
  'incident.updated',
  'incident.severity_changed',
  'incident.acknowledged',
  'incident.mitigated',
  'incident.resolved',
  'incident.reopened',
  'incident.role_assigned',
  'incident.role_unassigned',
  'incident.commander_handoff',
  'incident.escalated',
  'note.added',
  'action_item.added',
  'action_item.updated',
  'alert.attached',
  'alert.resolved',
  'change.correlated',
  'postmortem.updated',
] as const;

const ROLE_NAMES = ['commander', 'deputy', 'scribe', 'communications'];

/** Changes that the incident's Slack thread hears about (and that change its root message). */
export const THREAD_EVENTS = [
  'incident.updated',
  'incident.severity_changed',
  'incident.acknowledged',
  'incident.mitigated',
  'incident.resolved',
  'incident.reopened',
  'incident.role_assigned',
  'incident.role_unassigned',
  'incident.commander_handoff',
  'incident.escalated',
];

/** The rules in force when NOTIFY_RULES_FILE is unset. */
export function defaultRules(minSeverity: RuleSeverity): NotificationRule[] {
  return [
    { when: ['incident.declared'], minSeverity, send: ['slack:channel', 'email:list'] },
    { when: ['incident.role_assigned', 'incident.commander_handoff'], send: ['email:person', 'slack:dm'] },
    { when: [...THREAD_EVENTS], send: ['slack:thread'] },
    { when: ['incident.resolved'], minSeverity, send: ['email:list'] },
    { when: ['incident.escalated'], send: ['email:person', 'slack:dm'], fallback: ['email:list'] },
  ];
}

/** Thrown for a rules file that does not describe rules; the message names the problem. */
export class RulesError extends Error {}

function stringList(value: unknown, path: string, allowed?: readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new RulesError(`${path} must be a non-empty string or list of strings`);
  }
  const strings = list.map((v: string) => v.trim());
  if (allowed) {
    const unknown = strings.find((v) => !allowed.includes(v));
    if (unknown !== undefined) throw new RulesError(`${path} has "${unknown}", expected one of ${allowed.join(', ')}`);
  }
  return strings;
}

/**
 * Validates the parsed JSON of a rules file: `{"rules": [...]}` or the list itself. Throws a
 * RulesError naming the first problem.
 */
export function parseRules(json: unknown): NotificationRule[] {
  const list = Array.isArray(json) ? json : (json as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new RulesError('must be a JSON object {"rules": [...]} or a list of rules');
  const known = ['when', 'minSeverity', 'services', 'roles', 'send', 'fallback', 'slackChannel', 'emailTo'];
  return list.map((raw: unknown, i) => {
    const path = `rules[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesError(`${path} must be an object`);
    const r = raw as Record<string, unknown>;
    const extra = Object.keys(r).find((k) => !known.includes(k));
    if (extra) throw new RulesError(`${path}.${extra} is not a rule field (${known.join(', ')})`);
    const rule: NotificationRule = {
      when: stringList(r.when, `${path}.when`, RULE_EVENTS),
      send: stringList(r.send, `${path}.send`, TARGETS) as Target[],
    };
    if (r.minSeverity !== undefined) {
      const severity = typeof r.minSeverity === 'string' ? r.minSeverity.toUpperCase() : r.minSeverity;
      if (!SEVERITY_ORDER.includes(severity as RuleSeverity)) {
        throw new RulesError(`${path}.minSeverity must be one of ${SEVERITY_ORDER.join(', ')}`);
      }
      rule.minSeverity = severity as RuleSeverity;
    }
    if (r.services !== undefined) rule.services = stringList(r.services, `${path}.services`);
    if (r.roles !== undefined) rule.roles = stringList(r.roles, `${path}.roles`, ROLE_NAMES);
    if (r.fallback !== undefined) rule.fallback = stringList(r.fallback, `${path}.fallback`, TARGETS) as Target[];
    if (r.slackChannel !== undefined) {
      if (typeof r.slackChannel !== 'string' || !/^[#@]?[\w.\-{}]{1,80}$/.test(r.slackChannel.trim())) {
        throw new RulesError(`${path}.slackChannel must be a channel name or id such as #incidents or C0123ABCDEF`);
      }
      rule.slackChannel = r.slackChannel.trim();
    }
    if (r.emailTo !== undefined) {
      rule.emailTo = stringList(r.emailTo, `${path}.emailTo`);
      const bad = rule.emailTo.find((a) => !/^[^\s@<>]+@[^\s@<>]+$/.test(a));
      if (bad) throw new RulesError(`${path}.emailTo has "${bad}", which is not an email address`);
    }
    return rule;
  });
}

/** True when `severity` is `threshold` or worse. */
export function atLeast(severity: string, threshold: RuleSeverity): boolean {
  const s = SEVERITY_ORDER.indexOf(severity as RuleSeverity);
  return s !== -1 && s <= SEVERITY_ORDER.indexOf(threshold);
}

/** The worse of two severities. */
export function worse(a: string, b: string): string {
  const ia = SEVERITY_ORDER.indexOf(a as RuleSeverity);
  const ib = SEVERITY_ORDER.indexOf(b as RuleSeverity);
  if (ia === -1) return b;
  if (ib === -1) return a;
  return ia <= ib ? a : b;
}
