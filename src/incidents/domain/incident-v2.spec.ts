import { DomainError } from './incident-errors';
import type { IncidentEvent } from './incident-events';
import { Incident } from './incident';
import { allowedMoves } from './incident-status';
import type { CommandContext } from './incident';

// Given / When / Then for the v2 entries: chat, paging, automation and status updates.
const T0 = new Date('2026-12-04T03:21:00.000Z');
const ctx = (actor = 'system', minutes = 1): CommandContext => ({
  actor,
  now: new Date(T0.getTime() + minutes * 60_000),
});
const declared: IncidentEvent = {
  type: 'incident.declared',
  actor: 'system',
  occurredAt: T0,
  data: {
    number: 7,
    title: 'ES reindex',
    summary: null,
    severity: 'SEV1',
    service: 'search',
    source: 'alert',
    groupKey: 'g',
  },
};
const given = (...events: IncidentEvent[]) => Incident.fromEvents('inc-1', [declared, ...events]);
const recorded = (incident: Incident) => incident.pullEvents().map(({ type, actor, data }) => ({ type, actor, data }));

describe('allowedMoves', () => {
  it.each([
    ['triggered', ['acknowledge', 'mitigate', 'resolve']],
    ['acknowledged', ['mitigate', 'resolve']],
    ['mitigated', ['resolve']],
    ['resolved', ['reopen']],
  ] as const)('from %s: %j', (status, moves) => {
    expect(allowedMoves(status)).toEqual(moves);
  });
});

describe('the incident channel', () => {
  it('is linked once; the same link again records nothing; a new one replaces it', () => {
    const incident = given();
    incident.linkChatChannel({ channelId: 'C1', channelName: 'inc-7-es-reindex' }, ctx());
    incident.linkChatChannel({ channelId: 'C1', channelName: 'inc-7-es-reindex' }, ctx());
    expect(recorded(incident)).toEqual([
      { type: 'incident.chat_linked', actor: 'system', data: { channelId: 'C1', channelName: 'inc-7-es-reindex' } },
    ]);
    incident.linkChatChannel({ channelId: 'C1', channelName: 'inc-7-es-reindex-renamed' }, ctx());
    expect(incident.snapshot().chat).toEqual({ channelId: 'C1', channelName: 'inc-7-es-reindex-renamed' });
  });

  it('needs an id and a name', () => {
    expect(() => given().linkChatChannel({ channelId: '', channelName: 'x' }, ctx())).toThrow(DomainError);
  });
});

describe('paging entries', () => {
  it('records a page, its outcomes, a later step and exhaustion', () => {
    const incident = given();
    incident.recordPage({ policyId: 'p1', step: 1, round: 1, responders: ['alice'], channels: ['#ops'] }, ctx());
    incident.recordPageOutcome({ status: 'sent', responder: 'alice', method: 'sms' }, ctx());
    incident.recordPageOutcome({ status: 'failed', responder: 'alice', method: 'voice', reason: 'busy' }, ctx());
    incident.recordEscalationStep({ policyId: 'p1', step: 2, round: 1 }, ctx());
    incident.recordPageExhausted('p1', ctx());
    expect(recorded(incident).map((e) => [e.type, e.data])).toEqual([
      ['incident.paged', { policyId: 'p1', step: 1, round: 1, responders: ['alice'], channels: ['#ops'] }],
      ['page.sent', { responder: 'alice', method: 'sms' }],
      ['page.failed', { responder: 'alice', method: 'voice', reason: 'busy' }],
      ['incident.escalated', { policyId: 'p1', step: 2, round: 1 }],
      ['page.exhausted', { policyId: 'p1' }],
    ]);
  });

  it.each([
    [{ policyId: 'p1', step: 0, round: 1 }, 'step'],
    [{ policyId: 'p1', step: 1, round: 1.5 }, 'round'],
    [{ policyId: '', step: 1, round: 1 }, 'policyId'],
  ])('rejects a step %j naming %s', (step, path) => {
    expect(() => given().recordEscalationStep(step, ctx())).toThrow(expect.objectContaining({ path }));
  });

  it('rejects an unknown method and a failure without a reason', () => {
    const incident = given();
    expect(() =>
      incident.recordPageOutcome({ status: 'sent', responder: 'alice', method: 'pigeon' as never }, ctx()),
    ).toThrow(expect.objectContaining({ path: 'method' }));
    expect(() => incident.recordPageOutcome({ status: 'failed', responder: 'alice', method: 'sms' }, ctx())).toThrow(
      expect.objectContaining({ path: 'reason' }),
    );
    expect(incident.pendingEvents).toHaveLength(0);
  });
});

describe('automation entries', () => {
  it('records what the automation did, as the automation', () => {
    const incident = given();
    incident.recordAutomation(
      { type: 'automation.started', data: { automationId: 'a1', name: 'reindex', runId: 'r1' } },
      ctx('automation:reindex'),
    );
    incident.recordAutomation(
      { type: 'automation.skipped', data: { automationId: 'a1', name: 'reindex', reason: 'at most 6 runs an hour' } },
      ctx('automation:reindex'),
    );
    expect(recorded(incident)).toEqual([
      {
        type: 'automation.started',
        actor: 'automation:reindex',
        data: { automationId: 'a1', name: 'reindex', runId: 'r1' },
      },
      {
        type: 'automation.skipped',
        actor: 'automation:reindex',
        data: { automationId: 'a1', name: 'reindex', reason: 'at most 6 runs an hour' },
      },
    ]);
  });

  it('needs a reason where the entry has one', () => {
    expect(() =>
      given().recordAutomation(
        { type: 'automation.failed', data: { automationId: 'a1', name: 'reindex', runId: null, reason: ' ' } },
        ctx(),
      ),
    ).toThrow(expect.objectContaining({ path: 'reason' }));
  });
});

describe('status updates and their cadence', () => {
  it('a status update restarts the cadence clock', () => {
    const incident = given();
    expect(incident.snapshot().lastStatusUpdateAt).toBeNull();
    incident.postStatusUpdate('  Search degraded; reindex running  ', ctx('bea', 10));
    expect(recorded(incident)).toEqual([
      { type: 'incident.status_update', actor: 'bea', data: { text: 'Search degraded; reindex running' } },
    ]);
    expect(incident.snapshot().lastStatusUpdateAt).toEqual(ctx('bea', 10).now);
  });

  it('an empty update names the field', () => {
    expect(() => given().postStatusUpdate('', ctx())).toThrow(
      expect.objectContaining({ path: 'text', kind: 'invalid' }),
    );
  });

  it('records a lapse on an open incident, never on a resolved one', () => {
    const open = given();
    open.recordUpdateDue({ cadence: 'PT30M', since: T0, remind: 'bea' }, ctx('system', 30));
    expect(recorded(open)).toEqual([
      {
        type: 'incident.update_due',
        actor: 'system',
        data: { cadence: 'PT30M', since: T0.toISOString(), remind: 'bea' },
      },
    ]);
    const resolved = given({
      type: 'incident.resolved',
      actor: 'alice',
      occurredAt: T0,
      data: { note: null, automatic: false },
    });
    expect(() => resolved.recordUpdateDue({ cadence: 'PT30M', since: T0, remind: null }, ctx())).toThrow(
      expect.objectContaining({ code: 'INCIDENT_ALREADY_RESOLVED' }),
    );
  });
});

describe('an automation whose verdict resolves the incident', () => {
  const alert = (alertId: string): IncidentEvent => ({
    type: 'alert.attached',
    actor: 'system',
    occurredAt: T0,
    data: { alertId, source: 'alertmanager', identity: alertId, summary: null, severity: 'SEV1', firing: true },
  });
  const automation = { automationId: 'a1', name: 'reindex' };

  it('keeps the last alert from resolving it as system while the verdict is pending; the automation resolves it', () => {
    const incident = given(alert('x'));
    incident.recordAutomation(
      { type: 'automation.succeeded', data: { ...automation, runId: 'r1', resolvesOnVerify: true } },
      ctx('automation:reindex'),
    );
    incident.markAlertResolved('x', ctx());
    expect(incident.status).toBe('triggered');
    incident.recordAutomation({ type: 'automation.verified', data: { ...automation, runId: 'r1' } }, ctx('automation:reindex'));
    incident.resolve('Verified by automation reindex', ctx('automation:reindex'));
    expect(recorded(incident).map((e) => [e.type, e.actor])).toEqual([
      ['automation.succeeded', 'automation:reindex'],
      ['alert.resolved', 'system'],
      ['automation.verified', 'automation:reindex'],
      ['incident.resolved', 'automation:reindex'],
    ]);
    expect(incident.snapshot().awaitingVerification).toEqual([]);
  });

  it('a run that does not resolve on verify changes nothing: the last alert resolves the incident as before', () => {
    const incident = given(alert('x'));
    incident.recordAutomation({ type: 'automation.succeeded', data: { ...automation, runId: 'r1' } }, ctx('automation:reindex'));
    incident.markAlertResolved('x', ctx());
    expect(incident.status).toBe('resolved');
  });

  it('an unverified run lets the incident resolve itself again when its alerts do', () => {
    const incident = given(alert('x'), alert('y'));
    incident.recordAutomation(
      { type: 'automation.succeeded', data: { ...automation, runId: 'r1', resolvesOnVerify: true } },
      ctx('automation:reindex'),
    );
    incident.recordAutomation({ type: 'automation.unverified', data: { ...automation, runId: 'r1' } }, ctx('automation:reindex'));
    incident.markAlertResolved('x', ctx());
    incident.markAlertResolved('y', ctx());
    expect(incident.status).toBe('resolved');
  });
});
