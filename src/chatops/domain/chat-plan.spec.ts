import { ChatFacts, ChatSettings, planChatEvent } from './chat-plan';

const ON: ChatSettings = { channelsOn: true, minSeverity: 'SEV2' };
const OFF: ChatSettings = { channelsOn: false, minSeverity: 'SEV2' };
const ID = '5f0c6a3e-0000-4000-8000-000000000001';

const declared = (severity: string, seq = 1, actor = 'system') => ({
  incidentId: ID,
  seq,
  actor,
  type: 'incident.declared',
  data: { number: 42, title: 'Checkout down', severity, summary: null, service: null, source: 'manual', groupKey: null },
});

const facts = (over: Partial<ChatFacts> = {}): ChatFacts => ({
  incidentId: ID,
  number: 42,
  title: 'Checkout down',
  severity: 'SEV1',
  commander: null,
  deputy: null,
  lastSeq: 1,
  channelWanted: true,
  ...over,
});

const ev = (seq: number, type: string, data: Record<string, unknown>) => ({ incidentId: ID, seq, type, actor: 'admin', data });

describe('planChatEvent', () => {
  it.each([
    ['SEV1', ON, true],
    ['SEV2', ON, true],
    ['SEV3', ON, false],
    ['SEV1', OFF, false],
  ] as const)('a %s declaration with channels %j wants a channel: %s', (severity, settings, wanted) => {
    const plan = planChatEvent(declared(severity), undefined, settings)!;
    expect(plan.facts).toMatchObject({ number: 42, title: 'Checkout down', severity, lastSeq: 1, channelWanted: wanted });
    expect(plan.jobs).toEqual(wanted ? [{ kind: 'create_channel' }] : []);
  });

  it.each([
    ['commander assigned', ev(2, 'incident.role_assigned', { role: 'commander', assignee: 'alice', previous: null }), { commander: 'alice' }, [{ kind: 'invite', handle: 'alice' }]],
    ['deputy assigned', ev(2, 'incident.role_assigned', { role: 'deputy', assignee: 'bea', previous: null }), { deputy: 'bea' }, [{ kind: 'invite', handle: 'bea' }]],
    ['scribe assigned', ev(2, 'incident.role_assigned', { role: 'scribe', assignee: 'carl', previous: null }), {}, []],
    ['deputy unassigned', ev(2, 'incident.role_unassigned', { role: 'deputy', previous: 'bea' }), { deputy: null }, []],
    ['handoff', ev(2, 'incident.commander_handoff', { from: 'alice', to: 'bea' }), { commander: 'bea', deputy: null }, [{ kind: 'invite', handle: 'bea' }]],
    ['retitled', ev(2, 'incident.updated', { title: { from: 'Checkout down', to: 'Checkout 5xx' } }), { title: 'Checkout 5xx' }, []],
    ['a note', ev(2, 'note.added', { noteId: 'n', text: 'x', pinned: false }), {}, []],
  ] as const)('with a channel: %s', (_name, event, changed, jobs) => {
    const before = facts({ commander: 'alice', deputy: 'bea' });
    const plan = planChatEvent(event, before, ON)!;
    expect(plan.facts).toEqual({ ...before, ...changed, lastSeq: 2 });
    expect(plan.jobs).toEqual(jobs);
  });

  it.each([
    ['bob', [{ kind: 'create_channel' }, { kind: 'invite', handle: 'bob' }]],
    ['system', [{ kind: 'create_channel' }]],
    ['automation:restart-pods', [{ kind: 'create_channel' }]],
  ] as const)('invites the declarer %s to the new channel when they may be a responder', (actor, jobs) => {
    expect(planChatEvent(declared('SEV1', 1, actor), undefined, ON)!.jobs).toEqual(jobs);
    expect(planChatEvent(declared('SEV4', 1, actor), undefined, ON)!.jobs).toEqual([]);
  });

  it('invites nobody while the incident has no channel', () => {
    const plan = planChatEvent(ev(2, 'incident.role_assigned', { role: 'commander', assignee: 'alice', previous: null }), facts({ channelWanted: false, severity: 'SEV4' }), ON)!;
    expect(plan.jobs).toEqual([]);
    expect(plan.facts.commander).toBe('alice');
  });

  it('makes the channel when the severity is raised to the threshold, inviting the current commander and deputy', () => {
    const before = facts({ severity: 'SEV4', channelWanted: false, commander: 'alice', deputy: 'bea' });
    const plan = planChatEvent(ev(5, 'incident.severity_changed', { from: 'SEV4', to: 'SEV2', reason: null }), before, ON)!;
    expect(plan.facts).toMatchObject({ severity: 'SEV2', channelWanted: true, lastSeq: 5 });
    expect(plan.jobs).toEqual([{ kind: 'create_channel' }, { kind: 'invite', handle: 'alice' }, { kind: 'invite', handle: 'bea' }]);
    // Lowered and raised again: still one channel.
    const lowered = planChatEvent(ev(6, 'incident.severity_changed', { from: 'SEV2', to: 'SEV4', reason: null }), plan.facts, ON)!;
    const raised = planChatEvent(ev(7, 'incident.severity_changed', { from: 'SEV4', to: 'SEV1', reason: null }), lowered.facts, ON)!;
    expect([...lowered.jobs, ...raised.jobs]).toEqual([]);
  });

  it('ignores a redelivered event and a second declaration', () => {
    const before = facts({ lastSeq: 3 });
    expect(planChatEvent(ev(3, 'incident.role_assigned', { role: 'commander', assignee: 'zed', previous: null }), before, ON)).toEqual({ facts: before, jobs: [] });
    expect(planChatEvent(declared('SEV1', 1), before, ON)).toEqual({ facts: before, jobs: [] });
  });

  it('answers undefined for an event of an incident it never saw declared', () => {
    expect(planChatEvent(ev(4, 'note.added', {}), undefined, ON)).toBeUndefined();
  });
});
