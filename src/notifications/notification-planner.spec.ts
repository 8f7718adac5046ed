import { EventFacts, IncidentFacts, Person, PlanSettings, planEvent } from './notification-planner';
import { defaultRules, parseRules } from './notification-rules';

const NOW = new Date('2026-03-14T09:30:00Z');
const settings = (over: Partial<PlanSettings> = {}): PlanSettings => ({
  rules: defaultRules('SEV2'),
  slack: { enabled: true, channel: '#incidents' },
  email: { enabled: true, to: ['oncall@example.com'] },
  ackTimeoutSeconds: 300,
  maxEventAgeMs: 24 * 3600 * 1000,
  ...over,
});
let seq = 0;
const event = (type: string, data: Record<string, unknown> = {}, actor = 'alice', occurredAt = NOW): EventFacts => ({
  seq: ++seq,
  type,
  actor,
  occurredAt: occurredAt.toISOString(),
  data,
});
const declared = (severity: string, service: string | null = 'checkout') =>
  event('incident.declared', { severity, service, number: 1, title: 't', summary: null, source: 'manual', groupKey: null });
const people = new Map<string, Person>([
  ['bob', { handle: 'bob', email: 'bob@example.com', slackUserId: 'UBOB' }],
  ['dora', { handle: 'dora', email: null, slackUserId: null }],
]);
const shape = (jobs: Array<{ channel: string; kind: string; recipient: string }>) => jobs.map((j) => `${j.channel}:${j.kind}:${j.recipient}`);

describe('planEvent with the default rules', () => {
  beforeEach(() => (seq = 0));

  it('announces an incident of NOTIFY_MIN_SEVERITY or worse in the channel and to the list, and arms escalation for SEV1/SEV2', () => {
    const plan = planEvent(declared('SEV2'), undefined, settings(), people, NOW);
    expect(shape(plan.jobs)).toEqual(['slack:announce:#incidents', 'email:direct:oncall@example.com']);
    expect(plan.jobs[0].gate).toBe('slack:#incidents');
    expect(plan.facts).toMatchObject({ severity: 'SEV2', status: 'triggered', slackChannels: ['#incidents'] });
    expect(plan.armTimerAt).toEqual(new Date(NOW.getTime() + 300_000));
  });

  it('stays quiet below the threshold, then announces once when the severity crosses it', () => {
    const first = planEvent(declared('SEV3'), undefined, settings(), people, NOW);
    expect(first.jobs).toEqual([]);
    expect(first.armTimerAt).toBeUndefined();
    const worse = planEvent(event('incident.severity_changed', { from: 'SEV3', to: 'SEV1' }), first.facts, settings(), people, NOW);
    expect(shape(worse.jobs)).toEqual(['slack:announce:#incidents', 'email:direct:oncall@example.com']);
    expect(worse.armTimerAt).toBeDefined();
    const better = planEvent(event('incident.severity_changed', { from: 'SEV1', to: 'SEV3' }), worse.facts, settings(), people, NOW);
    expect(better.cancelTimers).toBe(true);
    const again = planEvent(event('incident.severity_changed', { from: 'SEV3', to: 'SEV1' }), better.facts, settings(), people, NOW);
    expect(shape(again.jobs)).toEqual(['slack:update:#incidents']);
  });

  it('replies in the thread on changes, mails the list on resolve, and cancels escalation', () => {
    const start = planEvent(declared('SEV1'), undefined, settings(), people, NOW);
    const ack = planEvent(event('incident.acknowledged', { note: null }), start.facts, settings(), people, NOW);
    expect(shape(ack.jobs)).toEqual(['slack:update:#incidents']);
    expect(ack.cancelTimers).toBe(true);
    const resolved = planEvent(event('incident.resolved', { note: null, automatic: false }), ack.facts, settings(), people, NOW);
    expect(shape(resolved.jobs)).toEqual(['slack:update:#incidents', 'email:direct:oncall@example.com']);
  });

  it('tells an assignee by email and Slack DM, but not someone who assigned themselves', () => {
    const start = planEvent(declared('SEV3'), undefined, settings(), people, NOW);
    const assigned = planEvent(event('incident.role_assigned', { role: 'deputy', assignee: 'bob', previous: null }), start.facts, settings(), people, NOW);
    expect(shape(assigned.jobs)).toEqual(['email:direct:bob@example.com', 'slack:direct:UBOB']);
    expect(assigned.jobs[1]).toMatchObject({ gate: 'slack:dm:UBOB', payload: { audience: 'person', person: 'bob', role: 'deputy' } });
    expect(assigned.facts?.deputy).toBe('bob');
    const self = planEvent(event('incident.role_assigned', { role: 'scribe', assignee: 'bob', previous: null }, 'bob'), start.facts, settings(), people, NOW);
    expect(self.jobs).toEqual([]);
  });

  it('escalates to the deputy, or to the list when the deputy cannot be reached', () => {
    const start = planEvent(declared('SEV1'), undefined, settings(), people, NOW);
    const withBob = { ...start.facts!, deputy: 'bob' };
    const toBob = planEvent(event('incident.escalated', { target: 'bob', reason: 'r' }, 'system'), withBob, settings(), people, NOW);
    expect(shape(toBob.jobs)).toEqual(['slack:update:#incidents', 'email:direct:bob@example.com', 'slack:direct:UBOB']);
    const withDora = { ...start.facts!, deputy: 'dora' };
    const toList = planEvent(event('incident.escalated', { target: 'dora', reason: 'r' }, 'system'), withDora, settings(), people, NOW);
    expect(shape(toList.jobs)).toEqual(['slack:update:#incidents', 'email:direct:oncall@example.com']);
  });

  it('makes no jobs for a channel that is off, and none for stale or notification events', () => {
    const off = settings({ slack: { enabled: false, channel: '#incidents' }, email: { enabled: false, to: ['x@example.com'] } });
    expect(planEvent(declared('SEV1'), undefined, off, people, NOW).jobs).toEqual([]);
    const stale = planEvent(declared('SEV1'), undefined, settings(), people, new Date(NOW.getTime() + 25 * 3600 * 1000));
    expect(stale.jobs).toEqual([]);
    expect(stale.armTimerAt).toBeUndefined();
    expect(stale.facts?.severity).toBe('SEV1');
    const start = planEvent(declared('SEV1'), undefined, settings(), people, NOW);
    expect(planEvent(event('notification.sent', { channel: 'slack', recipient: '#incidents' }), start.facts, settings(), people, NOW).jobs).toEqual([]);
  });

  it('follows a rules file: per-service channels with {service}, own lists, role filters', () => {
    const rules = parseRules({
      rules: [
        { when: 'incident.declared', minSeverity: 'sev3', services: ['payments'], send: ['slack:channel'], slackChannel: '#inc-{service}' },
        { when: 'incident.declared', send: 'email:list', emailTo: ['cto@example.com'], minSeverity: 'SEV1' },
        { when: 'incident.role_assigned', roles: ['commander'], send: ['email:person'] },
      ],
    });
    const facts = planEvent(declared('SEV3', 'payments'), undefined, settings({ rules }), people, NOW);
    expect(shape(facts.jobs)).toEqual(['slack:announce:#inc-payments']);
    const sev1 = planEvent(declared('SEV1', 'search'), undefined, settings({ rules }), people, NOW);
    expect(shape(sev1.jobs)).toEqual(['email:direct:cto@example.com']);
    const deputy = planEvent(event('incident.role_assigned', { role: 'deputy', assignee: 'bob', previous: null }), facts.facts, settings({ rules }), people, NOW);
    expect(deputy.jobs).toEqual([]);
  });
});

describe('IncidentFacts', () => {
  it('tracks status, severity peak, service and deputy from events', () => {
    let facts: IncidentFacts | undefined;
    for (const e of [
      declared('SEV3'),
      event('incident.severity_changed', { from: 'SEV3', to: 'SEV1' }),
      event('incident.severity_changed', { from: 'SEV1', to: 'SEV2' }),
      event('incident.role_assigned', { role: 'deputy', assignee: 'bob', previous: null }),
      event('incident.commander_handoff', { from: 'alice', to: 'bob' }),
      event('incident.mitigated', { note: null }),
    ]) {
      facts = planEvent(e, facts, settings(), people, NOW).facts;
    }
    expect(facts).toMatchObject({ severity: 'SEV2', peakSeverity: 'SEV1', status: 'mitigated', service: 'checkout', deputy: null });
  });
});
