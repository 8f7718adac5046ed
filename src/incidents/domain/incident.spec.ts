import { Incident, REOPEN_WINDOW_MS } from './incident';
import type { CommandContext, DeclareIncidentInput } from './incident';
import { DomainError } from './incident-errors';
import type { DomainErrorCode, DomainErrorKind } from './incident-errors';
import { INCIDENT_EVENT_TYPES, isIncidentEventType, toIncidentEvent } from './incident-events';
import type { IncidentEvent, IncidentEventData, IncidentEventType } from './incident-events';
import type { IncidentStatus } from './incident-status';
import { SUMMARY_MAX, TITLE_MAX } from './incident-validation';
import type { Role } from './roles';

// ---- test kit: Given events, When a command, Then events or an error -----------------------

const T0 = new Date('2025-01-01T10:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const ctx = (actor = 'alice', minutes = 5): CommandContext => ({ actor, now: at(minutes) });

function event<T extends IncidentEventType>(
  type: T,
  data: IncidentEventData<T>,
  minutes = 0,
  actor = 'alice',
): IncidentEvent {
  return { type, actor, occurredAt: at(minutes), data } as IncidentEvent;
}

const declaredEvent = (data: Partial<IncidentEventData<'incident.declared'>> = {}): IncidentEvent =>
  event('incident.declared', {
    number: 42,
    title: 'Checkout API returns 500',
    summary: null,
    severity: 'SEV2',
    service: 'checkout',
    source: 'manual',
    groupKey: null,
    ...data,
  });
const ack = (minutes = 1): IncidentEvent => event('incident.acknowledged', { note: null }, minutes);
const mitigated = (minutes = 2): IncidentEvent =>
  event('incident.mitigated', { note: null }, minutes);
const resolved = (minutes = 3, automatic = false): IncidentEvent =>
  event('incident.resolved', { note: null, automatic }, minutes);
const assigned = (role: Role, assignee: string, previous: string | null = null): IncidentEvent =>
  event('incident.role_assigned', { role, assignee, previous });
const alertAttached = (alertId: string, firing = true, severity = 'SEV2' as const): IncidentEvent =>
  event('alert.attached', {
    alertId,
    source: 'alertmanager',
    identity: `fp-${alertId}`,
    summary: null,
    severity,
    firing,
  });

const STATUS_HISTORY: Record<IncidentStatus, IncidentEvent[]> = {
  triggered: [declaredEvent()],
  acknowledged: [declaredEvent(), ack()],
  mitigated: [declaredEvent(), ack(), mitigated()],
  resolved: [declaredEvent(), ack(), resolved()],
};

function given(...events: IncidentEvent[]): Incident {
  return Incident.fromEvents('inc-1', events);
}

/** What a test compares: the recorded events without their timestamps. */
function recorded(incident: Incident): Array<Pick<IncidentEvent, 'type' | 'actor' | 'data'>> {
  return incident.pullEvents().map(({ type, actor, data }) => ({ type, actor, data }) as never);
}

function thenError(
  incident: Incident,
  when: () => void,
  code: DomainErrorCode,
  kind: DomainErrorKind,
): DomainError {
  const version = incident.version;
  let caught: unknown;
  try {
    when();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect(caught).toMatchObject({ code, kind });
  expect(incident.pendingEvents).toHaveLength(0);
  expect(incident.version).toBe(version);
  return caught as DomainError;
}

function thenNothing(incident: Incident, when: () => void): void {
  const before = incident.snapshot();
  when();
  expect(incident.pendingEvents).toHaveLength(0);
  expect(incident.snapshot()).toEqual(before);
}

const declareInput = (input: Partial<DeclareIncidentInput> = {}): DeclareIncidentInput => ({
  id: 'inc-1',
  number: 42,
  title: 'Checkout API returns 500',
  severity: 'SEV2',
  source: 'manual',
  ...input,
});

// ---- declare ----------------------------------------------------------------------------------

describe('declaring an incident', () => {
  it('when declared without a commander, then one incident.declared and version 1', () => {
    const incident = Incident.declare(
      declareInput({ summary: '  Orders fail  ', service: ' checkout ', groupKey: 'g1' }),
      ctx('alice', 0),
    );

    expect(incident.version).toBe(1);
    expect(incident.snapshot()).toEqual({
      id: 'inc-1',
      number: 42,
      title: 'Checkout API returns 500',
      summary: 'Orders fail',
      status: 'triggered',
      severity: 'SEV2',
      service: 'checkout',
      roles: { commander: null, deputy: null, scribe: null, communications: null },
      createdAt: T0,
      acknowledgedAt: null,
      mitigatedAt: null,
      resolvedAt: null,
      alerts: { total: 0, firing: 0 },
      version: 1,
      source: 'manual',
      groupKey: 'g1',
      lastResolvedAt: null,
      chat: null,
      lastStatusUpdateAt: null,
      awaitingVerification: [],
    });
    expect(recorded(incident)).toEqual([
      {
        type: 'incident.declared',
        actor: 'alice',
        data: {
          number: 42,
          title: 'Checkout API returns 500',
          summary: 'Orders fail',
          severity: 'SEV2',
          service: 'checkout',
          source: 'manual',
          groupKey: 'g1',
        },
      },
    ]);
  });

  it('when declared with a commander, then the commander is assigned too', () => {
    const incident = Incident.declare(declareInput({ commander: ' bob ' }), ctx('alice', 0));

    expect(recorded(incident)).toEqual([
      expect.objectContaining({ type: 'incident.declared' }),
      {
        type: 'incident.role_assigned',
        actor: 'alice',
        data: { role: 'commander', assignee: 'bob', previous: null },
      },
    ]);
    expect(incident.version).toBe(2);
    expect(incident.roles.commander).toBe('bob');
  });

  it('when declared, then optional fields default to null', () => {
    const s = Incident.declare(declareInput({ summary: '   ' }), ctx()).snapshot();
    expect([s.summary, s.service, s.groupKey]).toEqual([null, null, null]);
  });

  it.each<[string, Partial<DeclareIncidentInput>, DomainErrorCode, string]>([
    ['an empty title', { title: '' }, 'TITLE_REQUIRED', 'title'],
    ['a blank title', { title: '   ' }, 'TITLE_REQUIRED', 'title'],
    ['a title over 200', { title: 'x'.repeat(TITLE_MAX + 1) }, 'TITLE_TOO_LONG', 'title'],
    [
      'a summary over 10000',
      { summary: 'x'.repeat(SUMMARY_MAX + 1) },
      'SUMMARY_TOO_LONG',
      'summary',
    ],
    ['an unknown severity', { severity: 'SEV5' as never }, 'INVALID_SEVERITY', 'severity'],
    ['an unknown source', { source: 'email' as never }, 'INVALID_SOURCE', 'source'],
    ['number 0', { number: 0 }, 'INVALID_NUMBER', 'number'],
    ['a fractional number', { number: 1.5 }, 'INVALID_NUMBER', 'number'],
    ['an empty id', { id: '' }, 'ID_REQUIRED', 'id'],
    ['a commander with a space', { commander: 'bob smith' }, 'INVALID_HANDLE', 'commander'],
    ['a service over 200', { service: 's'.repeat(201) }, 'SERVICE_TOO_LONG', 'service'],
  ])('when declared with %s, then invalid %s', (_, input, code, path) => {
    let caught: unknown;
    try {
      Incident.declare(declareInput(input), ctx());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code, kind: 'invalid', path });
  });

  it('when the title is exactly 200 characters after trimming, then it is accepted', () => {
    const title = 'x'.repeat(TITLE_MAX);
    expect(Incident.declare(declareInput({ title: `  ${title}  ` }), ctx()).snapshot().title).toBe(
      title,
    );
  });
});

// ---- lifecycle --------------------------------------------------------------------------------

type Transition = 'acknowledge' | 'mitigate' | 'resolve' | 'reopen';

const run: Record<Transition, (incident: Incident, c: CommandContext) => void> = {
  acknowledge: (i, c) => i.acknowledge('on it', c),
  mitigate: (i, c) => i.mitigate(null, c),
  resolve: (i, c) => i.resolve(undefined, c),
  reopen: (i, c) => i.reopen('still broken', null, c),
};

const TRANSITION_TABLE: Array<
  [
    IncidentStatus,
    Transition,
    { status: IncidentStatus; event: IncidentEventType } | DomainErrorCode,
  ]
> = [
  ['triggered', 'acknowledge', { status: 'acknowledged', event: 'incident.acknowledged' }],
  ['triggered', 'mitigate', { status: 'mitigated', event: 'incident.mitigated' }],
  ['triggered', 'resolve', { status: 'resolved', event: 'incident.resolved' }],
  ['triggered', 'reopen', 'INVALID_TRANSITION'],
  ['acknowledged', 'acknowledge', 'INVALID_TRANSITION'],
  ['acknowledged', 'mitigate', { status: 'mitigated', event: 'incident.mitigated' }],
  ['acknowledged', 'resolve', { status: 'resolved', event: 'incident.resolved' }],
  ['acknowledged', 'reopen', 'INVALID_TRANSITION'],
  ['mitigated', 'acknowledge', 'INVALID_TRANSITION'],
  ['mitigated', 'mitigate', 'INVALID_TRANSITION'],
  ['mitigated', 'resolve', { status: 'resolved', event: 'incident.resolved' }],
  ['mitigated', 'reopen', 'INVALID_TRANSITION'],
  ['resolved', 'acknowledge', 'INCIDENT_ALREADY_RESOLVED'],
  ['resolved', 'mitigate', 'INCIDENT_ALREADY_RESOLVED'],
  ['resolved', 'resolve', 'INCIDENT_ALREADY_RESOLVED'],
  ['resolved', 'reopen', { status: 'triggered', event: 'incident.reopened' }],
];

describe('status machine', () => {
  it('covers every (status, transition) pair', () => {
    expect(TRANSITION_TABLE).toHaveLength(16);
    expect(new Set(TRANSITION_TABLE.map(([s, t]) => `${s}:${t}`)).size).toBe(16);
  });

  it.each(TRANSITION_TABLE)('given %s, when %s, then %j', (status, transition, expected) => {
    const incident = given(...STATUS_HISTORY[status], assigned('commander', 'carol'));

    if (typeof expected === 'string') {
      const error = thenError(
        incident,
        () => run[transition](incident, ctx()),
        expected,
        'conflict',
      );
      expect(error.message).toContain(status);
      return;
    }
    run[transition](incident, ctx('bob'));
    expect(incident.status).toBe(expected.status);
    expect(recorded(incident).map((e) => e.type)).toEqual([expected.event]);
  });

  it('given triggered, when acknowledged, then the note and acknowledgedAt are kept', () => {
    const incident = given(declaredEvent(), assigned('commander', 'carol'));
    incident.acknowledge('  looking  ', ctx('bob', 4));

    expect(recorded(incident)).toEqual([
      { type: 'incident.acknowledged', actor: 'bob', data: { note: 'looking' } },
    ]);
    expect(incident.snapshot().acknowledgedAt).toEqual(at(4));
  });

  it('given triggered, when resolved directly, then acknowledgedAt and mitigatedAt stay null', () => {
    const incident = given(declaredEvent());
    incident.resolve('false alarm', ctx('bob', 7));

    const s = incident.snapshot();
    expect([s.acknowledgedAt, s.mitigatedAt, s.resolvedAt, s.lastResolvedAt]).toEqual([
      null,
      null,
      at(7),
      at(7),
    ]);
    expect(recorded(incident)).toEqual([
      { type: 'incident.resolved', actor: 'bob', data: { note: 'false alarm', automatic: false } },
    ]);
  });

  it('given triggered, when mitigated directly, then acknowledgedAt stays null', () => {
    const incident = given(declaredEvent());
    incident.mitigate(undefined, ctx('bob', 6));
    expect(incident.snapshot()).toMatchObject({ acknowledgedAt: null, mitigatedAt: at(6) });
  });

  it('given a resolved incident, when reopened, then a new cycle starts and lastResolvedAt stays', () => {
    const incident = given(declaredEvent(), ack(1), mitigated(2), resolved(3));
    incident.reopen(' it is back ', ' errors again ', ctx('bob', 10));

    expect(recorded(incident)).toEqual([
      {
        type: 'incident.reopened',
        actor: 'bob',
        data: { note: 'it is back', reason: 'errors again' },
      },
    ]);
    expect(incident.snapshot()).toMatchObject({
      status: 'triggered',
      acknowledgedAt: null,
      mitigatedAt: null,
      resolvedAt: null,
      lastResolvedAt: at(3),
    });
  });

  it('given a reopened incident, when acknowledged and resolved again, then the new times apply', () => {
    const incident = given(
      declaredEvent(),
      ack(1),
      resolved(3),
      event('incident.reopened', { note: null, reason: null }, 10),
    );
    incident.acknowledge(null, ctx('bob', 11));
    incident.resolve(null, ctx('bob', 12));

    expect(incident.snapshot()).toMatchObject({
      acknowledgedAt: at(11),
      resolvedAt: at(12),
      lastResolvedAt: at(12),
    });
  });

  it('given an incident, when a transition note is too long, then invalid and nothing recorded', () => {
    const incident = given(declaredEvent());
    thenError(
      incident,
      () => incident.acknowledge('x'.repeat(10_001), ctx()),
      'NOTE_TOO_LONG',
      'invalid',
    );
    expect(incident.status).toBe('triggered');
  });

  it('when resolved automatically, then the actor is system and automatic is true', () => {
    const incident = given(declaredEvent());
    incident.resolveAutomatically(ctx('alertmanager'));
    expect(recorded(incident)).toEqual([
      { type: 'incident.resolved', actor: 'system', data: { note: null, automatic: true } },
    ]);
  });

  it('given a resolved incident, when resolved automatically, then conflict', () => {
    const incident = given(...STATUS_HISTORY.resolved);
    thenError(
      incident,
      () => incident.resolveAutomatically(ctx()),
      'INCIDENT_ALREADY_RESOLVED',
      'conflict',
    );
  });
});

// ---- first acknowledgement and the commander --------------------------------------------------

describe('first acknowledgement', () => {
  it('given no commander, when acknowledged, then the acknowledger becomes commander', () => {
    const incident = given(declaredEvent());
    incident.acknowledge(null, ctx('bob'));

    expect(recorded(incident)).toEqual([
      { type: 'incident.acknowledged', actor: 'bob', data: { note: null } },
      {
        type: 'incident.role_assigned',
        actor: 'bob',
        data: { role: 'commander', assignee: 'bob', previous: null },
      },
    ]);
    expect(incident.roles.commander).toBe('bob');
  });

  it('given a commander, when someone else acknowledges, then the commander stays', () => {
    const incident = given(declaredEvent(), assigned('commander', 'carol'));
    incident.acknowledge(null, ctx('bob'));

    expect(recorded(incident).map((e) => e.type)).toEqual(['incident.acknowledged']);
    expect(incident.roles.commander).toBe('carol');
  });

  it('given no commander, when the deputy acknowledges, then the deputy moves up to commander', () => {
    const incident = given(declaredEvent(), assigned('deputy', 'bob'));
    incident.acknowledge(null, ctx('bob'));

    expect(recorded(incident)).toEqual([
      { type: 'incident.acknowledged', actor: 'bob', data: { note: null } },
      { type: 'incident.role_unassigned', actor: 'bob', data: { role: 'deputy', previous: 'bob' } },
      {
        type: 'incident.role_assigned',
        actor: 'bob',
        data: { role: 'commander', assignee: 'bob', previous: null },
      },
    ]);
    expect(incident.roles).toMatchObject({ commander: 'bob', deputy: null });
  });

  it.each(['system', 'ci token'])(
    'given no commander, when %j acknowledges, then nobody is made commander',
    (actor) => {
      const incident = given(declaredEvent());
      incident.acknowledge(null, ctx(actor));
      expect(recorded(incident).map((e) => e.type)).toEqual(['incident.acknowledged']);
      expect(incident.roles.commander).toBeNull();
    },
  );
});

// ---- roles ------------------------------------------------------------------------------------

type RoleCase = [
  string,
  IncidentEvent[],
  (incident: Incident) => void,
  Array<Pick<IncidentEvent, 'type' | 'data'>> | DomainErrorCode,
];

const ROLE_TABLE: RoleCase[] = [
  [
    'an empty commander slot, when assigned',
    [],
    (i) => i.assignRole('commander', 'bob', ctx()),
    [
      {
        type: 'incident.role_assigned',
        data: { role: 'commander', assignee: 'bob', previous: null },
      },
    ],
  ],
  [
    'a commander, when another is assigned, then replaced',
    [assigned('commander', 'carol')],
    (i) => i.assignRole('commander', 'bob', ctx()),
    [
      {
        type: 'incident.role_assigned',
        data: { role: 'commander', assignee: 'bob', previous: 'carol' },
      },
    ],
  ],
  [
    'a scribe, when the same person is assigned again (untrimmed), then no-op',
    [assigned('scribe', 'carol')],
    (i) => i.assignRole('scribe', '  carol ', ctx()),
    [],
  ],
  [
    'a deputy, when the deputy is made commander, then ROLE_CONFLICT',
    [assigned('deputy', 'bob')],
    (i) => i.assignRole('commander', 'bob', ctx()),
    'ROLE_CONFLICT',
  ],
  [
    'a commander, when the commander is made deputy, then ROLE_CONFLICT',
    [assigned('commander', 'bob')],
    (i) => i.assignRole('deputy', 'bob', ctx()),
    'ROLE_CONFLICT',
  ],
  [
    'a commander, when the commander also becomes scribe, then allowed',
    [assigned('commander', 'bob')],
    (i) => i.assignRole('scribe', 'bob', ctx()),
    [{ type: 'incident.role_assigned', data: { role: 'scribe', assignee: 'bob', previous: null } }],
  ],
  [
    'a commander and a deputy, when the commander is removed, then exactly one handoff',
    [assigned('commander', 'carol'), assigned('deputy', 'bob')],
    (i) => i.unassignRole('commander', ctx()),
    [{ type: 'incident.commander_handoff', data: { from: 'carol', to: 'bob' } }],
  ],
  [
    'a commander without a deputy, when removed, then unassigned',
    [assigned('commander', 'carol')],
    (i) => i.unassignRole('commander', ctx()),
    [{ type: 'incident.role_unassigned', data: { role: 'commander', previous: 'carol' } }],
  ],
  [
    'a commander and a deputy, when the deputy is removed, then unassigned without handoff',
    [assigned('commander', 'carol'), assigned('deputy', 'bob')],
    (i) => i.unassignRole('deputy', ctx()),
    [{ type: 'incident.role_unassigned', data: { role: 'deputy', previous: 'bob' } }],
  ],
  [
    'an empty communications slot, when unassigned, then no-op',
    [],
    (i) => i.unassignRole('communications', ctx()),
    [],
  ],
  [
    'a deputy only, when the empty commander slot is unassigned, then no-op',
    [assigned('deputy', 'bob')],
    (i) => i.unassignRole('commander', ctx()),
    [],
  ],
  [
    'no roles, when an unknown role is assigned',
    [],
    (i) => i.assignRole('owner' as Role, 'bob', ctx()),
    'INVALID_ROLE',
  ],
  [
    'no roles, when an unknown role is unassigned',
    [],
    (i) => i.unassignRole('owner' as Role, ctx()),
    'INVALID_ROLE',
  ],
  [
    'no roles, when assigned an empty handle',
    [],
    (i) => i.assignRole('scribe', '', ctx()),
    'INVALID_HANDLE',
  ],
  [
    'no roles, when assigned a blank handle',
    [],
    (i) => i.assignRole('scribe', '   ', ctx()),
    'INVALID_HANDLE',
  ],
  [
    'no roles, when assigned a handle with a space',
    [],
    (i) => i.assignRole('scribe', 'bo b', ctx()),
    'INVALID_HANDLE',
  ],
  [
    'no roles, when assigned a handle with a control character',
    [],
    (i) => i.assignRole('scribe', 'bo\u0007b', ctx()),
    'INVALID_HANDLE',
  ],
  [
    'no roles, when assigned a 101-character handle',
    [],
    (i) => i.assignRole('scribe', 'b'.repeat(101), ctx()),
    'INVALID_HANDLE',
  ],
  [
    'no roles, when assigned a 100-character handle, then allowed',
    [],
    (i) => i.assignRole('scribe', 'b'.repeat(100), ctx()),
    [
      {
        type: 'incident.role_assigned',
        data: { role: 'scribe', assignee: 'b'.repeat(100), previous: null },
      },
    ],
  ],
];

describe('roles', () => {
  it.each(ROLE_TABLE)('given %s', (_, history, when, expected) => {
    const incident = given(declaredEvent(), ...history);

    if (typeof expected === 'string') {
      const kind = expected === 'ROLE_CONFLICT' ? 'conflict' : 'invalid';
      thenError(incident, () => when(incident), expected, kind);
      return;
    }
    if (expected.length === 0) {
      thenNothing(incident, () => when(incident));
      return;
    }
    when(incident);
    expect(recorded(incident).map(({ type, data }) => ({ type, data }))).toEqual(expected);
  });

  it('given a commander and a deputy, when the commander is removed, then the deputy commands and the deputy slot is empty', () => {
    const incident = given(
      declaredEvent(),
      assigned('commander', 'carol'),
      assigned('deputy', 'bob'),
    );
    incident.unassignRole('commander', ctx('dave'));

    expect(incident.roles).toEqual({
      commander: 'bob',
      deputy: null,
      scribe: null,
      communications: null,
    });
    expect(incident.version).toBe(4);
  });

  it('given a handoff, when a new deputy is assigned, then the old commander may be deputy', () => {
    const incident = given(
      declaredEvent(),
      assigned('commander', 'carol'),
      assigned('deputy', 'bob'),
    );
    incident.unassignRole('commander', ctx());
    incident.assignRole('deputy', 'carol', ctx());
    expect(incident.roles).toMatchObject({ commander: 'bob', deputy: 'carol' });
  });

  it('records the actor of a role change', () => {
    const incident = given(declaredEvent());
    incident.assignRole('communications', 'erin', ctx('dave'));
    expect(recorded(incident)[0].actor).toBe('dave');
  });
});

// ---- severity and details ---------------------------------------------------------------------

describe('severity and details', () => {
  it('given SEV2, when changed to SEV1 with a reason, then severity_changed', () => {
    const incident = given(declaredEvent());
    incident.changeSeverity('SEV1', 'customers affected', ctx('bob'));
    expect(recorded(incident)).toEqual([
      {
        type: 'incident.severity_changed',
        actor: 'bob',
        data: { from: 'SEV2', to: 'SEV1', reason: 'customers affected' },
      },
    ]);
    expect(incident.severity).toBe('SEV1');
  });

  it('given SEV2, when lowered to SEV4 by hand, then allowed with a null reason', () => {
    const incident = given(declaredEvent());
    incident.changeSeverity('SEV4', undefined, ctx());
    expect(recorded(incident)[0].data).toEqual({ from: 'SEV2', to: 'SEV4', reason: null });
  });

  it('given SEV2, when changed to SEV2, then no-op', () => {
    const incident = given(declaredEvent());
    thenNothing(incident, () => incident.changeSeverity('SEV2', 'again', ctx()));
  });

  it('when changed to an unknown severity, then invalid', () => {
    const incident = given(declaredEvent());
    thenError(
      incident,
      () => incident.changeSeverity('SEV0' as never, null, ctx()),
      'INVALID_SEVERITY',
      'invalid',
    );
  });

  it('when the title and summary change, then one incident.updated with from/to', () => {
    const incident = given(declaredEvent());
    incident.update({ title: ' Checkout down ', summary: 'All regions' }, ctx());
    expect(recorded(incident)).toEqual([
      {
        type: 'incident.updated',
        actor: 'alice',
        data: {
          title: { from: 'Checkout API returns 500', to: 'Checkout down' },
          summary: { from: null, to: 'All regions' },
        },
      },
    ]);
    expect(incident.snapshot()).toMatchObject({ title: 'Checkout down', summary: 'All regions' });
  });

  it('when only the summary is cleared, then only the summary is in the event', () => {
    const incident = given(declaredEvent({ summary: 'old' }));
    incident.update({ title: 'Checkout API returns 500', summary: null }, ctx());
    expect(recorded(incident)[0].data).toEqual({ summary: { from: 'old', to: null } });
  });

  it.each([
    [{}],
    [{ title: 'Checkout API returns 500' }],
    [{ title: '  Checkout API returns 500 ' }],
    [{ summary: null }],
    [{ summary: '  ' }],
  ])('when updated with %j and nothing changes, then no-op', (changes) => {
    const incident = given(declaredEvent());
    thenNothing(incident, () => incident.update(changes, ctx()));
  });

  it.each<[object, DomainErrorCode]>([
    [{ title: '' }, 'TITLE_REQUIRED'],
    [{ title: ' ' }, 'TITLE_REQUIRED'],
    [{ title: 't'.repeat(201) }, 'TITLE_TOO_LONG'],
    [{ title: 'ok', summary: 's'.repeat(10_001) }, 'SUMMARY_TOO_LONG'],
  ])('when updated with %j, then %s and nothing recorded', (changes, code) => {
    const incident = given(declaredEvent());
    thenError(incident, () => incident.update(changes, ctx()), code, 'invalid');
    expect(incident.snapshot().title).toBe('Checkout API returns 500');
  });

  it('given a resolved incident, when its title is updated, then allowed', () => {
    const incident = given(...STATUS_HISTORY.resolved);
    incident.update({ title: 'Postmortem: checkout' }, ctx());
    expect(incident.snapshot().title).toBe('Postmortem: checkout');
  });
});

// ---- notes ------------------------------------------------------------------------------------

describe('notes', () => {
  it('when a pinned note is added, then note.added keeps the pinned flag', () => {
    const incident = given(declaredEvent());
    incident.addNote('note-1', '  Rolled back v2.3  ', true, ctx('bob'));
    expect(recorded(incident)).toEqual([
      {
        type: 'note.added',
        actor: 'bob',
        data: { noteId: 'note-1', text: 'Rolled back v2.3', pinned: true },
      },
    ]);
    expect(incident.version).toBe(2);
  });

  it('given a resolved incident, when a note is added, then allowed', () => {
    const incident = given(...STATUS_HISTORY.resolved);
    incident.addNote('note-1', 'Follow-up', false, ctx());
    expect(recorded(incident)[0].data).toMatchObject({ pinned: false });
  });

  it.each<[string, string, DomainErrorCode]>([
    ['note-1', '', 'NOTE_REQUIRED'],
    ['note-1', ' \n ', 'NOTE_REQUIRED'],
    ['note-1', 'n'.repeat(10_001), 'NOTE_TOO_LONG'],
    ['', 'text', 'ID_REQUIRED'],
  ])('when a note (%j, %j) is added, then %s', (id, text, code) => {
    const incident = given(declaredEvent());
    thenError(incident, () => incident.addNote(id, text, false, ctx()), code, 'invalid');
  });

  it('when a note of exactly 10000 characters is added, then allowed', () => {
    const incident = given(declaredEvent());
    incident.addNote('note-1', 'n'.repeat(10_000), false, ctx());
    expect(incident.pendingEvents).toHaveLength(1);
  });
});

// ---- action items -----------------------------------------------------------------------------

describe('action items', () => {
  const withItem = (): Incident =>
    given(
      declaredEvent(),
      event(
        'action_item.added',
        {
          actionItemId: 'ai-1',
          title: 'Add a canary',
          owner: 'bob',
          dueDate: '2025-02-01',
          status: 'open',
        },
        20,
      ),
    );

  it('when an action item is added, then action_item.added and the item is listed', () => {
    const incident = given(declaredEvent());
    incident.addActionItem(
      'ai-1',
      { title: ' Add a canary ', owner: ' bob ', dueDate: '2025-02-01' },
      ctx('alice', 20),
    );

    expect(recorded(incident)).toEqual([
      {
        type: 'action_item.added',
        actor: 'alice',
        data: {
          actionItemId: 'ai-1',
          title: 'Add a canary',
          owner: 'bob',
          dueDate: '2025-02-01',
          status: 'open',
        },
      },
    ]);
    expect(incident.actionItems()).toEqual([
      {
        id: 'ai-1',
        title: 'Add a canary',
        owner: 'bob',
        dueDate: '2025-02-01',
        status: 'open',
        createdAt: at(20),
        updatedAt: at(20),
      },
    ]);
    expect(incident.actionItem('ai-1')?.title).toBe('Add a canary');
  });

  it('when added without owner or due date, then they are null', () => {
    const incident = given(declaredEvent());
    incident.addActionItem('ai-1', { title: 'Write runbook' }, ctx());
    expect(incident.actionItem('ai-1')).toMatchObject({
      owner: null,
      dueDate: null,
      status: 'open',
    });
  });

  it('given an item, when one with the same id is added, then ACTION_ITEM_EXISTS', () => {
    const incident = withItem();
    thenError(
      incident,
      () => incident.addActionItem('ai-1', { title: 'Again' }, ctx()),
      'ACTION_ITEM_EXISTS',
      'conflict',
    );
  });

  it.each<[object, DomainErrorCode, string]>([
    [{ title: '' }, 'ACTION_ITEM_TITLE_REQUIRED', 'title'],
    [{ title: '   ' }, 'ACTION_ITEM_TITLE_REQUIRED', 'title'],
    [{ title: 't'.repeat(501) }, 'ACTION_ITEM_TITLE_TOO_LONG', 'title'],
    [{ title: 'ok', owner: 'bo b' }, 'INVALID_HANDLE', 'owner'],
    [{ title: 'ok', owner: '' }, 'INVALID_HANDLE', 'owner'],
    [{ title: 'ok', dueDate: '2025-02-30' }, 'INVALID_DUE_DATE', 'dueDate'],
    [{ title: 'ok', dueDate: '01/02/2025' }, 'INVALID_DUE_DATE', 'dueDate'],
    [{ title: 'ok', dueDate: '2025-02-01T00:00:00Z' }, 'INVALID_DUE_DATE', 'dueDate'],
  ])('when added with %j, then %s', (input, code, path) => {
    const incident = given(declaredEvent());
    const error = thenError(
      incident,
      () => incident.addActionItem('ai-1', input as never, ctx()),
      code,
      'invalid',
    );
    expect(error.path).toBe(path);
  });

  it('when a 500-character title is added, then allowed', () => {
    const incident = given(declaredEvent());
    incident.addActionItem('ai-1', { title: 't'.repeat(500) }, ctx());
    expect(incident.actionItems()).toHaveLength(1);
  });

  it('given an item, when it is done, then action_item.updated with the new status only', () => {
    const incident = withItem();
    incident.updateActionItem(
      'ai-1',
      { status: 'done', title: 'Add a canary', owner: 'bob' },
      ctx('bob', 30),
    );

    expect(recorded(incident)).toEqual([
      {
        type: 'action_item.updated',
        actor: 'bob',
        data: { actionItemId: 'ai-1', changes: { status: 'done' } },
      },
    ]);
    expect(incident.actionItem('ai-1')).toMatchObject({
      status: 'done',
      createdAt: at(20),
      updatedAt: at(30),
    });
  });

  it('given an item, when owner and due date are cleared and the title changes, then all three are in changes', () => {
    const incident = withItem();
    incident.updateActionItem('ai-1', { owner: null, dueDate: null, title: 'Add canaries' }, ctx());
    expect(recorded(incident)[0].data).toEqual({
      actionItemId: 'ai-1',
      changes: { title: 'Add canaries', owner: null, dueDate: null },
    });
    expect(incident.actionItem('ai-1')).toMatchObject({
      title: 'Add canaries',
      owner: null,
      dueDate: null,
    });
  });

  it.each([
    [{}],
    [{ title: ' Add a canary ', owner: 'bob', dueDate: '2025-02-01', status: 'open' as const }],
  ])('given an item, when updated with %j, then no-op', (changes) => {
    const incident = withItem();
    thenNothing(incident, () => incident.updateActionItem('ai-1', changes, ctx()));
  });

  it('when an unknown item is updated, then not_found ACTION_ITEM_NOT_FOUND', () => {
    const incident = withItem();
    thenError(
      incident,
      () => incident.updateActionItem('ai-9', { status: 'done' }, ctx()),
      'ACTION_ITEM_NOT_FOUND',
      'not_found',
    );
  });

  it.each<[object, DomainErrorCode]>([
    [{ status: 'closed' }, 'INVALID_ACTION_ITEM_STATUS'],
    [{ dueDate: '2025-13-01' }, 'INVALID_DUE_DATE'],
    [{ owner: 'a\tb' }, 'INVALID_HANDLE'],
    [{ title: '' }, 'ACTION_ITEM_TITLE_REQUIRED'],
  ])('given an item, when updated with %j, then %s', (changes, code) => {
    const incident = withItem();
    thenError(
      incident,
      () => incident.updateActionItem('ai-1', changes as never, ctx()),
      code,
      'invalid',
    );
  });
});

// ---- alerts -----------------------------------------------------------------------------------

describe('alerts', () => {
  const fromAlerts = (...history: IncidentEvent[]): Incident =>
    given(declaredEvent({ source: 'alert', groupKey: 'grp' }), ...history);
  const attach = (
    incident: Incident,
    alertId: string,
    firing = true,
    severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' = 'SEV2',
    minutes = 5,
  ): void =>
    incident.attachAlert(
      {
        alertId,
        source: 'alertmanager',
        identity: `fp-${alertId}`,
        summary: 'High error rate',
        severity,
        firing,
      },
      ctx('alertmanager', minutes),
    );

  it('when a firing alert is attached, then alert.attached and total/firing count it', () => {
    const incident = fromAlerts();
    attach(incident, 'a1');
    expect(recorded(incident)).toEqual([
      {
        type: 'alert.attached',
        actor: 'alertmanager',
        data: {
          alertId: 'a1',
          source: 'alertmanager',
          identity: 'fp-a1',
          summary: 'High error rate',
          severity: 'SEV2',
          firing: true,
        },
      },
    ]);
    expect(incident.alerts).toEqual({ total: 1, firing: 1 });
  });

  it('when an already resolved alert is attached, then total counts it and firing does not', () => {
    const incident = fromAlerts(alertAttached('a1'));
    attach(incident, 'a2', false);
    expect(incident.alerts).toEqual({ total: 2, firing: 1 });
  });

  it('given SEV2, when a SEV1 alert is attached, then alert.attached then severity_changed (reason alert)', () => {
    const incident = fromAlerts();
    attach(incident, 'a1', true, 'SEV1');
    expect(recorded(incident).map(({ type, data }) => ({ type, data }))).toEqual([
      expect.objectContaining({ type: 'alert.attached' }),
      { type: 'incident.severity_changed', data: { from: 'SEV2', to: 'SEV1', reason: 'alert' } },
    ]);
    expect(incident.severity).toBe('SEV1');
  });

  it.each(['SEV2', 'SEV3', 'SEV4'] as const)(
    'given SEV2, when a %s alert is attached, then severity is not lowered',
    (severity) => {
      const incident = fromAlerts();
      attach(incident, 'a1', true, severity);
      expect(recorded(incident).map((e) => e.type)).toEqual(['alert.attached']);
      expect(incident.severity).toBe('SEV2');
    },
  );

  it('given two firing alerts, when one resolves, then alert.resolved and the incident stays open', () => {
    const incident = fromAlerts(alertAttached('a1'), alertAttached('a2'));
    incident.markAlertResolved('a1', ctx('alertmanager'));
    expect(recorded(incident)).toEqual([
      { type: 'alert.resolved', actor: 'alertmanager', data: { alertId: 'a1' } },
    ]);
    expect(incident.alerts).toEqual({ total: 2, firing: 1 });
    expect(incident.status).toBe('triggered');
  });

  it.each<IncidentStatus>(['triggered', 'acknowledged', 'mitigated'])(
    'given an alert incident %s with one firing alert, when it resolves, then the incident resolves itself as system',
    (status) => {
      const history = STATUS_HISTORY[status].slice(1);
      const incident = fromAlerts(alertAttached('a1'), ...history);
      incident.markAlertResolved('a1', ctx('alertmanager', 9));

      expect(recorded(incident)).toEqual([
        { type: 'alert.resolved', actor: 'alertmanager', data: { alertId: 'a1' } },
        { type: 'incident.resolved', actor: 'system', data: { note: null, automatic: true } },
      ]);
      expect(incident.snapshot()).toMatchObject({
        status: 'resolved',
        resolvedAt: at(9),
        alerts: { total: 1, firing: 0 },
      });
    },
  );

  it('given a manual incident, when its last firing alert resolves, then it stays open', () => {
    const incident = given(declaredEvent({ source: 'manual' }), alertAttached('a1'));
    incident.markAlertResolved('a1', ctx());
    expect(recorded(incident).map((e) => e.type)).toEqual(['alert.resolved']);
    expect(incident.status).toBe('triggered');
  });

  it('given a resolved alert incident, when a late alert resolves, then only alert.resolved', () => {
    const incident = fromAlerts(alertAttached('a1'), alertAttached('a2'), resolved(4));
    incident.markAlertResolved('a1', ctx());
    expect(recorded(incident).map((e) => e.type)).toEqual(['alert.resolved']);
  });

  it('given no firing alert, when one is marked resolved, then firing stays at 0', () => {
    const incident = given(declaredEvent({ source: 'manual' }), alertAttached('a1', false));
    incident.markAlertResolved('a1', ctx());
    expect(incident.alerts).toEqual({ total: 1, firing: 0 });
  });

  describe('reopen window', () => {
    const resolvedAt = 3;
    const resolvedAlertIncident = (): Incident =>
      fromAlerts(
        alertAttached('a1'),
        event('alert.resolved', { alertId: 'a1' }, resolvedAt),
        resolved(resolvedAt, true),
      );

    it.each<[string, number, boolean]>([
      ['at the moment it resolved', 0, true],
      ['29 minutes 59.999 seconds later', REOPEN_WINDOW_MS - 1, true],
      ['exactly 30 minutes later', REOPEN_WINDOW_MS, false],
      ['two hours later', 2 * 3_600_000, false],
    ])('given a resolved incident, canReopenForAlert %s is %s', (_, afterMs, expected) => {
      const incident = resolvedAlertIncident();
      expect(incident.canReopenForAlert(new Date(at(resolvedAt).getTime() + afterMs))).toBe(
        expected,
      );
    });

    it.each<IncidentStatus>(['triggered', 'acknowledged', 'mitigated'])(
      'given a %s incident, canReopenForAlert is false',
      (status) => {
        expect(given(...STATUS_HISTORY[status]).canReopenForAlert(at(4))).toBe(false);
      },
    );

    it('given resolved 29 minutes ago, when a firing alert is attached, then reopened by system, then attached', () => {
      const incident = resolvedAlertIncident();
      attach(incident, 'a1', true, 'SEV2', resolvedAt + 29);

      expect(recorded(incident).map(({ type, actor, data }) => ({ type, actor, data }))).toEqual([
        {
          type: 'incident.reopened',
          actor: 'system',
          data: { note: null, reason: 'alert refired' },
        },
        expect.objectContaining({ type: 'alert.attached', actor: 'alertmanager' }),
      ]);
      expect(incident.snapshot()).toMatchObject({
        status: 'triggered',
        resolvedAt: null,
        lastResolvedAt: at(resolvedAt),
        alerts: { total: 2, firing: 1 },
      });
    });

    it('given resolved 29 minutes ago, when a worse firing alert is attached, then reopened, attached, severity raised', () => {
      const incident = resolvedAlertIncident();
      attach(incident, 'a1', true, 'SEV1', resolvedAt + 29);
      expect(recorded(incident).map((e) => e.type)).toEqual([
        'incident.reopened',
        'alert.attached',
        'incident.severity_changed',
      ]);
    });

    it('given resolved 30 minutes ago, when a firing alert is attached, then INCIDENT_CLOSED_FOR_ALERTS', () => {
      const incident = resolvedAlertIncident();
      thenError(
        incident,
        () => attach(incident, 'a1', true, 'SEV2', resolvedAt + 30),
        'INCIDENT_CLOSED_FOR_ALERTS',
        'conflict',
      );
      expect(incident.status).toBe('resolved');
    });

    it('given resolved long ago, when a resolved (not firing) alert is attached, then it is recorded without reopening', () => {
      const incident = resolvedAlertIncident();
      attach(incident, 'a2', false, 'SEV2', resolvedAt + 120);
      expect(recorded(incident).map((e) => e.type)).toEqual(['alert.attached']);
      expect(incident.status).toBe('resolved');
    });

    it('given a reopened alert incident, when its alert resolves again, then it resolves itself again', () => {
      const incident = resolvedAlertIncident();
      attach(incident, 'a1', true, 'SEV2', resolvedAt + 10);
      incident.markAlertResolved('a1', ctx('alertmanager', resolvedAt + 20));
      expect(incident.snapshot()).toMatchObject({
        status: 'resolved',
        resolvedAt: at(resolvedAt + 20),
        lastResolvedAt: at(resolvedAt + 20),
      });
    });
  });

  it.each<[string, object, DomainErrorCode]>([
    ['no alert id', { alertId: '' }, 'ID_REQUIRED'],
    ['no identity', { identity: ' ' }, 'VALUE_REQUIRED'],
    ['no source', { source: '' }, 'VALUE_REQUIRED'],
    ['an unknown severity', { severity: 'critical' }, 'INVALID_SEVERITY'],
  ])('when an alert with %s is attached, then invalid', (_, override, code) => {
    const incident = fromAlerts();
    const input = {
      alertId: 'a1',
      source: 'alertmanager',
      identity: 'fp',
      summary: null,
      severity: 'SEV2',
      firing: true,
      ...override,
    };
    thenError(incident, () => incident.attachAlert(input as never, ctx()), code, 'invalid');
  });
});

// ---- timeline-only records --------------------------------------------------------------------

describe('timeline-only records', () => {
  it('records an escalation', () => {
    const incident = given(declaredEvent());
    incident.recordEscalation('team-payments', 'not acknowledged in 5 minutes', ctx('system'));
    expect(recorded(incident)).toEqual([
      {
        type: 'incident.escalated',
        actor: 'system',
        data: { target: 'team-payments', reason: 'not acknowledged in 5 minutes' },
      },
    ]);
  });

  it('records a correlated change with its time as an ISO string', () => {
    const incident = given(declaredEvent());
    incident.correlateChange(
      { changeId: 'chg-1', summary: 'Deploy v2.3', service: 'checkout', occurredAt: at(-20) },
      ctx('system'),
    );
    expect(recorded(incident)[0].data).toEqual({
      changeId: 'chg-1',
      summary: 'Deploy v2.3',
      service: 'checkout',
      occurredAt: '2025-01-01T09:40:00.000Z',
    });
  });

  it('refuses a change with an invalid time', () => {
    const incident = given(declaredEvent());
    thenError(
      incident,
      () =>
        incident.correlateChange({ changeId: 'c', summary: 's', occurredAt: 'yesterday' }, ctx()),
      'INVALID_DATE',
      'invalid',
    );
  });

  it('records sent and failed notifications', () => {
    const incident = given(declaredEvent());
    incident.recordNotification(
      { status: 'sent', channel: 'slack', recipient: '#incidents' },
      ctx('system'),
    );
    incident.recordNotification(
      { status: 'failed', channel: 'email', recipient: 'oncall@example.com', reason: 'SMTP 550' },
      ctx('system'),
    );
    expect(recorded(incident)).toEqual([
      {
        type: 'notification.sent',
        actor: 'system',
        data: { channel: 'slack', recipient: '#incidents' },
      },
      {
        type: 'notification.failed',
        actor: 'system',
        data: { channel: 'email', recipient: 'oncall@example.com', reason: 'SMTP 550' },
      },
    ]);
  });

  it('records a postmortem update once per section name; none is a no-op', () => {
    const incident = given(declaredEvent());
    thenNothing(incident, () => incident.recordPostmortemUpdate([], ctx()));
    incident.recordPostmortemUpdate(['rootCause', 'impact', 'rootCause'], ctx());
    expect(recorded(incident)[0].data).toEqual({ sections: ['rootCause', 'impact'] });
  });
});

// ---- events and rehydration -------------------------------------------------------------------

describe('events and rehydration', () => {
  /** A long life that records every event type at least once. */
  function fullStory(): { incident: Incident; events: IncidentEvent[] } {
    const incident = Incident.declare(
      declareInput({ source: 'alert', groupKey: 'grp', commander: 'carol' }),
      ctx('alertmanager', 0),
    );
    incident.attachAlert(
      {
        alertId: 'a1',
        source: 'alertmanager',
        identity: 'fp1',
        summary: null,
        severity: 'SEV1',
        firing: true,
      },
      ctx('alertmanager', 1),
    );
    incident.correlateChange(
      { changeId: 'c1', summary: 'Deploy', occurredAt: at(-5) },
      ctx('system', 1),
    );
    incident.recordNotification(
      { status: 'sent', channel: 'slack', recipient: '#inc' },
      ctx('system', 1),
    );
    incident.recordNotification(
      { status: 'failed', channel: 'email', recipient: 'x@y', reason: 'down' },
      ctx('system', 1),
    );
    incident.recordEscalation('payments', 'no ack', ctx('system', 2));
    incident.assignRole('deputy', 'bob', ctx('carol', 2));
    incident.acknowledge('mine', ctx('carol', 3));
    incident.update({ summary: 'EU only' }, ctx('carol', 3));
    incident.addNote('n1', 'Rolled back', true, ctx('carol', 4));
    incident.unassignRole('commander', ctx('carol', 4));
    incident.assignRole('scribe', 'dave', ctx('bob', 4));
    incident.unassignRole('scribe', ctx('bob', 4));
    incident.mitigate(null, ctx('bob', 5));
    incident.changeSeverity('SEV2', 'contained', ctx('bob', 5));
    incident.markAlertResolved('a1', ctx('alertmanager', 6));
    incident.reopen(null, 'errors again', ctx('bob', 8));
    incident.addActionItem(
      'ai1',
      { title: 'Canary', owner: 'bob', dueDate: '2025-01-15' },
      ctx('bob', 9),
    );
    incident.updateActionItem('ai1', { status: 'done' }, ctx('bob', 10));
    incident.linkChatChannel({ channelId: 'C1', channelName: 'inc-42-checkout' }, ctx('system', 10));
    incident.recordPage({ policyId: 'p1', step: 1, round: 1, responders: ['bob'], channels: [] }, ctx('system', 10));
    incident.recordPageOutcome({ status: 'sent', responder: 'bob', method: 'sms' }, ctx('system', 10));
    incident.recordPageOutcome({ status: 'failed', responder: 'bob', method: 'voice', reason: 'busy' }, ctx('system', 10));
    incident.recordEscalationStep({ policyId: 'p1', step: 2, round: 1 }, ctx('system', 10));
    incident.recordPageExhausted('p1', ctx('system', 10));
    const automation = { automationId: 'au1', name: 'restart' };
    incident.recordAutomation({ type: 'automation.suggested', data: { ...automation, alertId: 'a1' } }, ctx('system', 10));
    incident.recordAutomation({ type: 'automation.started', data: { ...automation, runId: 'r1' } }, ctx('bob', 10));
    incident.recordAutomation({ type: 'automation.succeeded', data: { ...automation, runId: 'r1' } }, ctx('system', 10));
    incident.recordAutomation({ type: 'automation.unverified', data: { ...automation, runId: 'r1' } }, ctx('system', 10));
    incident.recordAutomation({ type: 'automation.failed', data: { ...automation, runId: 'r2', reason: 'exit 1' } }, ctx('system', 10));
    incident.recordAutomation({ type: 'automation.skipped', data: { ...automation, reason: 'cap' } }, ctx('system', 10));
    incident.recordAutomation({ type: 'automation.verified', data: { ...automation, runId: 'r3' } }, ctx('system', 10));
    incident.recordUpdateDue({ cadence: 'PT1H', since: at(0), remind: 'bob' }, ctx('system', 10));
    incident.postStatusUpdate('Checkout recovered in the EU', ctx('bob', 10));
    incident.resolve('fixed', ctx('bob', 11));
    incident.recordPostmortemUpdate(['rootCause'], ctx('bob', 12));
    return { incident, events: incident.pullEvents() };
  }

  it('INCIDENT_EVENT_TYPES lists every wire type once', () => {
    expect(INCIDENT_EVENT_TYPES).toHaveLength(34);
    expect(new Set(INCIDENT_EVENT_TYPES).size).toBe(34);
    expect(INCIDENT_EVENT_TYPES.every(isIncidentEventType)).toBe(true);
    expect(isIncidentEventType('incident.deleted')).toBe(false);
  });

  it('the full story records every event type', () => {
    const { events } = fullStory();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(INCIDENT_EVENT_TYPES));
  });

  it('version counts every event; pullEvents returns them once', () => {
    const { incident, events } = fullStory();
    expect(incident.version).toBe(events.length);
    expect(incident.pullEvents()).toEqual([]);
  });

  it('rehydrating from the events gives the same state and records nothing', () => {
    const { incident, events } = fullStory();
    const copy = Incident.fromEvents('inc-1', events);

    expect(copy.snapshot()).toEqual(incident.snapshot());
    expect(copy.actionItems()).toEqual(incident.actionItems());
    expect(copy.pendingEvents).toHaveLength(0);
    expect(copy.snapshot()).toMatchObject({
      status: 'resolved',
      severity: 'SEV2',
      roles: { commander: 'bob', deputy: null, scribe: null, communications: null },
      acknowledgedAt: null,
      resolvedAt: at(11),
      alerts: { total: 1, firing: 0 },
    });
  });

  it('events survive a round trip through JSON and a timeline row', () => {
    const { incident, events } = fullStory();
    const rows = events.map(
      (e) =>
        JSON.parse(JSON.stringify(e)) as {
          type: string;
          actor: string;
          occurredAt: string;
          data: unknown;
        },
    );
    const copy = Incident.fromEvents('inc-1', rows.map(toIncidentEvent));

    events.forEach((e, i) => expect(rows[i].data).toEqual(e.data));
    expect(copy.snapshot()).toEqual(incident.snapshot());
  });

  it('refuses a stream that does not start with incident.declared', () => {
    expect(() => Incident.fromEvents('inc-1', [])).toThrow('incident.declared');
    expect(() => Incident.fromEvents('inc-1', [ack()])).toThrow('incident.declared');
    expect(() => Incident.fromEvents('inc-1', [declaredEvent(), declaredEvent()])).toThrow();
  });

  it('refuses an unknown event type from storage', () => {
    expect(() =>
      toIncidentEvent({ type: 'incident.deleted', actor: 'x', occurredAt: T0, data: {} }),
    ).toThrow();
  });

  it('refuses a command without an actor or with an invalid time', () => {
    const incident = given(declaredEvent());
    expect(() => incident.addNote('n', 't', false, { actor: '', now: T0 })).toThrow('actor');
    expect(() => incident.addNote('n', 't', false, { actor: 'a', now: new Date(NaN) })).toThrow(
      'now',
    );
    expect(incident.pendingEvents).toHaveLength(0);
  });
});
