import { atLeast, NotificationRule, Target, worse } from './notification-rules';

/**
 * Turns one incident event into notification jobs, given what the notifications module
 * remembers of the incident (IncidentFacts, projected from the events it has seen). Pure: the
 * consumer does the I/O (responder look-ups before, inserts after).
 */

/** One event of the incident-events topic, as the jobs carry it. */
export interface EventFacts {
  seq: number;
  type: string;
  actor: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** What the notifications module remembers of an incident, from its events in seq order. */
export interface IncidentFacts {
  lastSeq: number;
  severity: string;
  /** The worst severity the incident has had: rules' minSeverity compare against it. */
  peakSeverity: string;
  status: string;
  service: string | null;
  deputy: string | null;
  /** Channels the incident was announced in (each has, or will have, its thread). */
  slackChannels: string[];
}

export interface Person {
  handle: string;
  email: string | null;
  slackUserId: string | null;
}

export interface PlanSettings {
  rules: NotificationRule[];
  slack: { enabled: boolean; channel: string };
  email: { enabled: boolean; to: string[] };
  ackTimeoutSeconds: number;
  /** Events older than this when consumed update the facts but notify nobody. */
  maxEventAgeMs: number;
}

export type JobKind = 'announce' | 'update' | 'direct';
export type JobChannel = 'slack' | 'email';

export interface JobPayload {
  /** The events the message tells of (an update job absorbs later ones of its incident). */
  events: EventFacts[];
  audience: 'channel' | 'list' | 'person';
  /** The person addressed (audience `person`) and the role they hold. */
  person?: string;
  role?: string;
}

export interface JobSpec {
  channel: JobChannel;
  recipient: string;
  kind: JobKind;
  /** The rate-limit unit: one send at a time per gate, and a 429 closes the gate only. */
  gate: string;
  payload: JobPayload;
}

export interface Plan {
  facts: IncidentFacts | undefined;
  jobs: JobSpec[];
  /** Arm the incident's escalation timer (one per incident, a row in `timers`) due at this time. */
  armTimerAt?: Date;
  /** Disarm the incident's escalation timer. */
  cancelTimers: boolean;
}

/** Severities whose incidents escalate when not acknowledged in time (the contract's ACK_TIMEOUT). */
export const ESCALATING_SEVERITIES = ['SEV1', 'SEV2'];

export function gateOf(channel: JobChannel, kind: JobKind, recipient: string): string {
  if (channel === 'email') return `email:${recipient.toLowerCase()}`;
  return kind === 'direct' ? `slack:dm:${recipient}` : `slack:${recipient}`;
}

/** Applies one event to the facts; undefined facts only before `incident.declared`. */
export function evolveFacts(facts: IncidentFacts | undefined, event: EventFacts): IncidentFacts | undefined {
  const d = event.data;
  if (event.type === 'incident.declared') {
    const severity = String(d.severity);
    return {
      lastSeq: event.seq,
      severity,
      peakSeverity: severity,
      status: 'triggered',
      service: typeof d.service === 'string' ? d.service : null,
      deputy: null,
      slackChannels: [],
    };
  }
  if (!facts) return undefined;
  const next: IncidentFacts = { ...facts, lastSeq: Math.max(facts.lastSeq, event.seq) };
  switch (event.type) {
    case 'incident.severity_changed':
      next.severity = String(d.to);
      next.peakSeverity = worse(facts.peakSeverity, next.severity);
      break;
    case 'incident.acknowledged':
      next.status = 'acknowledged';
      break;
    case 'incident.mitigated':
      next.status = 'mitigated';
      break;
    case 'incident.resolved':
      next.status = 'resolved';
      break;
    case 'incident.reopened':
      next.status = 'triggered';
      break;
    case 'incident.role_assigned':
      if (d.role === 'deputy') next.deputy = String(d.assignee);
      break;
    case 'incident.role_unassigned':
      if (d.role === 'deputy') next.deputy = null;
      break;
    case 'incident.commander_handoff':
      next.deputy = null;
      break;
    default:
      break;
  }
  return next;
}

/** The person an event is about, and their role; none when they caused it themselves. */
export function personOf(event: EventFacts, before: IncidentFacts | undefined): { handle: string; role: string } | undefined {
  const d = event.data;
  let found: { handle: string; role: string } | undefined;
  if (event.type === 'incident.role_assigned' && typeof d.assignee === 'string') {
    found = { handle: d.assignee, role: String(d.role) };
  } else if (event.type === 'incident.commander_handoff' && typeof d.to === 'string') {
    found = { handle: d.to, role: 'commander' };
  } else if (event.type === 'incident.escalated' && typeof d.target === 'string' && before?.deputy) {
    found = { handle: before.deputy, role: 'deputy' };
  }
  if (!found || found.handle === event.actor) return undefined;
  return found;
}

function channelFor(rule: NotificationRule, settings: PlanSettings, service: string | null): string {
  const template = rule.slackChannel ?? settings.slack.channel;
  if (!template.includes('{service}')) return template;
  if (!service) return settings.slack.channel;
  return template.replace(/\{service\}/g, service.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'));
}

/**
 * Plans the jobs of one event. `people` holds the directory entries of the handles that
 * `personOf` names (absent = not in the directory). `now` decides staleness.
 */
export function planEvent(
  event: EventFacts,
  before: IncidentFacts | undefined,
  settings: PlanSettings,
  people: ReadonlyMap<string, Person>,
  now: Date,
): Plan {
  const facts = evolveFacts(before, event);
  const plan: Plan = { facts, jobs: [], cancelTimers: false };
  if (!facts) return plan;
  // A step of an escalation policy: paging notifies its own targets; only v1's hop is ours.
  if (event.type === 'incident.escalated' && typeof event.data.target !== 'string') return plan;

  plan.cancelTimers =
    ['incident.acknowledged', 'incident.mitigated', 'incident.resolved'].includes(event.type) ||
    (event.type === 'incident.severity_changed' && !ESCALATING_SEVERITIES.includes(facts.severity));
  const occurredAt = new Date(event.occurredAt);
  const stale = now.getTime() - occurredAt.getTime() > settings.maxEventAgeMs;
  const becameEscalating =
    (event.type === 'incident.declared' && ESCALATING_SEVERITIES.includes(facts.severity)) ||
    (event.type === 'incident.reopened' && ESCALATING_SEVERITIES.includes(facts.severity)) ||
    (event.type === 'incident.severity_changed' &&
      facts.status === 'triggered' &&
      ESCALATING_SEVERITIES.includes(facts.severity) &&
      !ESCALATING_SEVERITIES.includes(before?.severity ?? ''));
  if (becameEscalating && !stale) plan.armTimerAt = new Date(occurredAt.getTime() + settings.ackTimeoutSeconds * 1000);
  if (stale || event.type.startsWith('notification.')) return plan;

  const person = personOf(event, before);
  const contact = person ? people.get(person.handle) : undefined;
  const keys = new Set<string>();
  const add = (channel: JobChannel, kind: JobKind, recipient: string, payload: Omit<JobPayload, 'events'>): boolean => {
    const key = `${channel}\u0000${recipient}`;
    if (keys.has(key)) return false;
    keys.add(key);
    plan.jobs.push({ channel, kind, recipient, gate: gateOf(channel, kind, recipient), payload: { events: [event], ...payload } });
    return true;
  };
  const announced = new Set(before?.slackChannels ?? []);

  const send = (rule: NotificationRule, targets: Target[]): void => {
    for (const target of targets) {
      if (target === 'slack:channel' && settings.slack.enabled) {
        const channel = channelFor(rule, settings, facts.service);
        if (!announced.has(channel) && !facts.slackChannels.includes(channel)) {
          add('slack', 'announce', channel, { audience: 'channel' });
          facts.slackChannels = [...facts.slackChannels, channel];
        }
      } else if (target === 'slack:thread' && settings.slack.enabled) {
        for (const channel of announced) add('slack', 'update', channel, { audience: 'channel' });
      } else if (target === 'slack:dm' && settings.slack.enabled && person && contact?.slackUserId) {
        add('slack', 'direct', contact.slackUserId, { audience: 'person', person: person.handle, role: person.role });
      } else if (target === 'email:person' && settings.email.enabled && person && contact?.email) {
        add('email', 'direct', contact.email, { audience: 'person', person: person.handle, role: person.role });
      } else if (target === 'email:list' && settings.email.enabled) {
        for (const address of rule.emailTo ?? settings.email.to) add('email', 'direct', address, { audience: 'list' });
      }
    }
  };

  const crossed = (rule: NotificationRule): boolean =>
    rule.minSeverity !== undefined &&
    before !== undefined &&
    atLeast(facts.peakSeverity, rule.minSeverity) &&
    !atLeast(before.peakSeverity, rule.minSeverity);

  for (const rule of settings.rules) {
    if (rule.services && !(facts.service && rule.services.includes(facts.service))) continue;
    const direct = rule.when.includes(event.type);
    const lateDeclare = event.type === 'incident.severity_changed' && rule.when.includes('incident.declared') && crossed(rule);
    if (!direct && !lateDeclare) continue;
    if (rule.minSeverity && !atLeast(facts.peakSeverity, rule.minSeverity)) continue;
    if (rule.roles && event.type === 'incident.role_assigned' && !rule.roles.includes(String(event.data.role))) continue;
    send(rule, rule.send);
    if (rule.fallback && !plan.jobs.some((j) => j.payload.audience === 'person')) send(rule, rule.fallback);
  }
  return plan;
}
