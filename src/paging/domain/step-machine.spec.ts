import { parseDuration } from './duration';
import type { PagePolicy } from './policy';
import { checkPolicy, isStorableText } from './policy';
import { nextStep, notificationsFor, ResolvedStep, startsPage, StepDecision } from './step-machine';

const NOW = new Date('2026-03-14T03:21:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const people = (...responders: string[]): ResolvedStep => ({ responders, channels: [] });
const nobody: ResolvedStep = { responders: [], channels: [] };

const twoSteps: PagePolicy = {
  id: '5f0c6a3e-0000-4000-8000-000000000001',
  repeat: 1,
  urgentSeverities: ['SEV1', 'SEV2'],
  steps: [
    { delay: 'PT5M', targets: [{ type: 'schedule', scheduleId: '5f0c6a3e-0000-4000-8000-0000000000aa' }] },
    { delay: 'PT10M', targets: [{ type: 'responder', handle: 'bea' }] },
  ],
};

describe('nextStep', () => {
  const cases: Array<{ name: string; input: Partial<Parameters<typeof nextStep>[0]>; expected: StepDecision }> = [
    {
      name: 'a page starts at step 1 of round 1 and waits its delay',
      input: { from: null, resolved: [people('alice'), people('bea')] },
      expected: {
        kind: 'notify',
        position: { step: 1, round: 1 },
        targets: people('alice'),
        nextDueAt: at(300),
        skipped: [],
      },
    },
    {
      name: 'nobody on call at step 1: skipped at once, step 2 starts now',
      input: { from: null, resolved: [nobody, people('bea')] },
      expected: {
        kind: 'notify',
        position: { step: 2, round: 1 },
        targets: people('bea'),
        nextDueAt: at(600),
        skipped: [{ step: 1, round: 1 }],
      },
    },
    {
      name: 'after step 1 comes step 2',
      input: { from: { step: 1, round: 1 }, resolved: [people('alice'), people('bea')] },
      expected: {
        kind: 'notify',
        position: { step: 2, round: 1 },
        targets: people('bea'),
        nextDueAt: at(600),
        skipped: [],
      },
    },
    {
      name: 'after the last step the policy runs again (repeat)',
      input: { from: { step: 2, round: 1 }, resolved: [people('carl'), people('bea')] },
      expected: {
        kind: 'notify',
        position: { step: 1, round: 2 },
        targets: people('carl'),
        nextDueAt: at(300),
        skipped: [],
      },
    },
    {
      name: 'after the last step of the last round the page is exhausted',
      input: { from: { step: 2, round: 2 }, resolved: [people('alice'), people('bea')] },
      expected: { kind: 'exhausted', skipped: [] },
    },
    {
      name: 'nobody to notify anywhere: exhausted at once, every step skipped',
      input: { from: null, resolved: [nobody, nobody] },
      expected: {
        kind: 'exhausted',
        skipped: [
          { step: 1, round: 1 },
          { step: 2, round: 1 },
          { step: 1, round: 2 },
          { step: 2, round: 2 },
        ],
      },
    },
    {
      name: 'a Slack channel alone is somebody to notify',
      input: { from: { step: 1, round: 1 }, resolved: [nobody, { responders: [], channels: ['#ops'] }] },
      expected: {
        kind: 'notify',
        position: { step: 2, round: 1 },
        targets: { responders: [], channels: ['#ops'] },
        nextDueAt: at(600),
        skipped: [],
      },
    },
    {
      name: 'acknowledged: stop, nobody notified',
      input: { status: 'acknowledged' },
      expected: { kind: 'stop', status: 'acknowledged' },
    },
    { name: 'mitigated: stop', input: { status: 'mitigated' }, expected: { kind: 'stop', status: 'mitigated' } },
    {
      name: 'resolved: stop',
      input: { status: 'resolved', from: { step: 1, round: 2 } },
      expected: { kind: 'stop', status: 'resolved' },
    },
  ];

  it.each(cases)('$name', ({ input, expected }) => {
    expect(
      nextStep({
        policy: twoSteps,
        from: null,
        resolved: [people('alice'), people('bea')],
        status: 'triggered',
        now: NOW,
        ...input,
      }),
    ).toEqual(expected);
  });

  it('repeat 0 runs the policy once', () => {
    expect(
      nextStep({
        policy: { ...twoSteps, repeat: 0 },
        from: { step: 2, round: 1 },
        resolved: [people('a'), people('b')],
        status: 'triggered',
        now: NOW,
      }),
    ).toEqual({
      kind: 'exhausted',
      skipped: [],
    });
  });
});

describe('startsPage', () => {
  const urgent = ['SEV1', 'SEV2'] as const;
  it.each([
    { trigger: { type: 'declared', severity: 'SEV1', status: 'triggered' }, pages: true },
    { trigger: { type: 'declared', severity: 'SEV3', status: 'triggered' }, pages: false },
    { trigger: { type: 'declared', severity: 'SEV1', status: 'resolved' }, pages: false },
    { trigger: { type: 'reopened', severity: 'SEV2', status: 'triggered' }, pages: true },
    { trigger: { type: 'reopened', severity: 'SEV4', status: 'triggered' }, pages: false },
    { trigger: { type: 'severity_raised', from: 'SEV3', severity: 'SEV2', status: 'triggered' }, pages: true },
    { trigger: { type: 'severity_raised', from: 'SEV3', severity: 'SEV2', status: 'acknowledged' }, pages: false },
    { trigger: { type: 'severity_raised', from: 'SEV2', severity: 'SEV1', status: 'triggered' }, pages: false },
    { trigger: { type: 'severity_raised', from: 'SEV4', severity: 'SEV3', status: 'triggered' }, pages: false },
  ] as const)('$trigger.type $trigger.severity $trigger.status → $pages', ({ trigger, pages }) => {
    expect(startsPage(trigger, urgent)).toBe(pages);
  });

  it('follows the policy: SEV3 is urgent where the policy says so', () => {
    expect(startsPage({ type: 'declared', severity: 'SEV3', status: 'triggered' }, ['SEV1', 'SEV2', 'SEV3'])).toBe(
      true,
    );
  });
});

describe('notificationsFor', () => {
  const all = ['email', 'slack', 'sms', 'voice'] as const;
  const alice = { email: 'alice@example.com', slackUserId: 'UALICE', phone: '+14155550123' };
  it.each([
    {
      name: 'no rules: every method at once, a phone is SMS and voice',
      contact: alice,
      rules: [],
      enabled: all,
      expected: ['email@0', 'slack@0', 'sms@0', 'voice@0'],
    },
    {
      name: 'no rules, email only',
      contact: { email: 'a@example.com', slackUserId: null, phone: null },
      rules: [],
      enabled: all,
      expected: ['email@0'],
    },
    {
      name: 'rules: each method after its delay, in order',
      contact: alice,
      rules: [
        { after: 'PT2M', method: 'voice' },
        { after: 'PT0S', method: 'sms' },
        { after: 'PT0S', method: 'slack' },
      ],
      enabled: all,
      expected: ['sms@0', 'slack@0', 'voice@120000'],
    },
    { name: 'a channel that is off is left out', contact: alice, rules: [], enabled: ['email'], expected: ['email@0'] },
    {
      name: 'a rule for a method the person lost is left out',
      contact: { ...alice, phone: null },
      rules: [{ after: 'PT1M', method: 'voice' }],
      enabled: all,
      expected: [],
    },
  ] as const)('$name', ({ contact, rules, enabled, expected }) => {
    expect(notificationsFor(contact, rules, enabled).map((n) => `${n.method}@${n.afterMs}`)).toEqual(expected);
  });
});

describe('parseDuration', () => {
  it.each([
    ['PT30S', 30_000],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['PT0S', 0],
    ['PT1.5S', 1500],
    ['P1M', null],
    ['PT', null],
    ['P', null],
    ['5m', null],
    [300, null],
  ])('%p → %p', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('checkPolicy', () => {
  it('fills in the defaults', () => {
    expect(
      checkPolicy({ name: ' Search ', steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'alice' }] }] }),
    ).toEqual({
      policy: {
        name: 'Search',
        default: false,
        repeat: 0,
        urgentSeverities: ['SEV1', 'SEV2'],
        steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'alice' }] }],
      },
    });
  });
  it.each([
    [{ name: '', steps: [] }, ['name', 'steps']],
    [{ name: 'x', repeat: 6, steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'a' }] }] }, ['repeat']],
    [
      {
        name: 'x',
        urgentSeverities: ['SEV9'],
        steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'a' }] }],
      },
      ['urgentSeverities'],
    ],
    [{ name: 'x', steps: [{ delay: 'PT0S', targets: [{ type: 'responder', handle: 'a' }] }] }, ['steps[0].delay']],
    [
      { name: 'x', steps: [{ delay: 'PT5M', targets: [{ type: 'schedule', scheduleId: 'nope' }, { type: 'pager' }] }] },
      ['steps[0].targets[0].scheduleId', 'steps[0].targets[1].type'],
    ],
    [
      { name: 'x', steps: [{ delay: 'PT5M', targets: [{ type: 'slack_channel', channel: 'ops room' }] }] },
      ['steps[0].targets[0].channel'],
    ],
  ])('%j → problems at %j', (body, paths) => {
    const result = checkPolicy(body);
    expect('problems' in result && result.problems.map((p) => p.path)).toEqual(paths);
  });
  it.each([
    ['plain', true],
    ['emoji \uD83D\uDE80', true],
    ['nul \u0000', false],
    ['lone \uD800', false],
    ['lone \uDC00', false],
  ])('storable text %p → %p', (text, storable) => expect(isStorableText(text)).toBe(storable));
  it('delays are at least PT1S', () => expect(parseDuration('PT1S')).toBe(1000));
});
