import { parseLocalDateTime, toInstant } from './local-time';
import { checkScheduleDefinition, parseRotation, type ScheduleDefinition } from './schedule-definition';

const valid: ScheduleDefinition = {
  name: 'Platform primary',
  timeZone: 'Europe/Berlin',
  layers: [
    {
      name: 'primary',
      members: ['alice', 'bob'],
      start: '2026-12-07T09:00',
      rotation: 'P1W',
      restrictions: [{ days: ['mon', 'fri'], from: '18:00', to: '08:00' }],
    },
  ],
};

function withLayer(patch: Record<string, unknown>): unknown {
  return { ...valid, layers: [{ ...valid.layers[0], ...patch }] };
}

describe('a schedule definition is checked field by field', () => {
  it('accepts a valid one', () => {
    expect(checkScheduleDefinition(valid)).toEqual([]);
  });

  it.each([
    { input: { ...valid, timeZone: 'Mars/Olympus' }, path: 'timeZone' },
    { input: { ...valid, timeZone: '+02:00' }, path: 'timeZone' },
    { input: { ...valid, timeZone: '' }, path: 'timeZone' },
    { input: { ...valid, name: ' ' }, path: 'name' },
    { input: { ...valid, layers: [] }, path: 'layers' },
    { input: { ...valid, notifyShiftStart: 'yes' }, path: 'notifyShiftStart' },
    { input: withLayer({ rotation: 'banana' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 'P1M' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 'P1DT12H' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 'PT30M' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 'PT1.5H' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 'P0D' }), path: 'layers[0].rotation' },
    { input: withLayer({ rotation: 12 }), path: 'layers[0].rotation' },
    { input: withLayer({ start: '2026-12-07 09:00' }), path: 'layers[0].start' },
    { input: withLayer({ start: '2026-12-07T09:00Z' }), path: 'layers[0].start' },
    { input: withLayer({ start: '2026-12-07T09:00+01:00' }), path: 'layers[0].start' },
    { input: withLayer({ start: '2026-12-07T09:00:00' }), path: 'layers[0].start' },
    { input: withLayer({ start: '2026-02-30T09:00' }), path: 'layers[0].start' },
    { input: withLayer({ start: '2026-12-07T24:00' }), path: 'layers[0].start' },
    { input: withLayer({ members: [] }), path: 'layers[0].members' },
    { input: withLayer({ members: ['alice', ''] }), path: 'layers[0].members[1]' },
    { input: withLayer({ name: 'override' }), path: 'layers[0].name' },
    {
      input: withLayer({ restrictions: [{ days: ['monday'], from: '09:00', to: '17:00' }] }),
      path: 'layers[0].restrictions[0].days[0]',
    },
    {
      input: withLayer({ restrictions: [{ days: [], from: '09:00', to: '17:00' }] }),
      path: 'layers[0].restrictions[0].days',
    },
    {
      input: withLayer({ restrictions: [{ days: ['mon', 'mon'], from: '09:00', to: '17:00' }] }),
      path: 'layers[0].restrictions[0].days',
    },
    {
      input: withLayer({ restrictions: [{ days: ['mon'], from: '9:00', to: '17:00' }] }),
      path: 'layers[0].restrictions[0].from',
    },
    {
      input: withLayer({ restrictions: [{ days: ['mon'], from: '09:00', to: '24:00' }] }),
      path: 'layers[0].restrictions[0].to',
    },
    { input: withLayer({ restrictions: [] }), path: 'layers[0].restrictions' },
    {
      input: { ...valid, layers: [valid.layers[0], { ...valid.layers[0] }] },
      path: 'layers[1].name',
    },
  ])('$path: %j', ({ input, path }) => {
    const problems = checkScheduleDefinition(input);
    expect(problems.map((p) => p.path)).toEqual([path]);
  });
});

describe('rotations', () => {
  it.each([
    ['PT12H', { kind: 'elapsed', ms: 12 * 3600_000 }],
    ['PT1H', { kind: 'elapsed', ms: 3600_000 }],
    ['PT90M', { kind: 'elapsed', ms: 90 * 60_000 }],
    ['P1D', { kind: 'wall-clock', days: 1 }],
    ['P1W', { kind: 'wall-clock', days: 7 }],
    ['P2W', { kind: 'wall-clock', days: 14 }],
    ['P1W3D', { kind: 'wall-clock', days: 10 }],
    ['P1Y', null],
    ['PT0S', null],
    ['-P1D', null],
  ])('%s', (text, expected) => {
    expect(parseRotation(text)).toEqual(expected);
  });
});

describe('local times resolve in their zone', () => {
  it.each([
    ['2027-03-14T02:30', 'America/New_York', '2027-03-14T07:00:00.000Z'],
    ['2027-03-14T03:00', 'America/New_York', '2027-03-14T07:00:00.000Z'],
    ['2027-03-14T01:59', 'America/New_York', '2027-03-14T06:59:00.000Z'],
    ['2027-11-07T01:00', 'America/New_York', '2027-11-07T05:00:00.000Z'],
    ['2027-11-07T01:59', 'America/New_York', '2027-11-07T05:59:00.000Z'],
    ['2027-11-07T02:00', 'America/New_York', '2027-11-07T07:00:00.000Z'],
    ['2027-03-28T02:00', 'Europe/Berlin', '2027-03-28T01:00:00.000Z'],
    ['2027-10-31T02:00', 'Europe/Berlin', '2027-10-31T00:00:00.000Z'],
    ['2027-10-31T03:00', 'Europe/Berlin', '2027-10-31T02:00:00.000Z'],
    ['2011-12-30T09:00', 'Pacific/Apia', '2011-12-30T10:00:00.000Z'],
  ])('%s in %s', (local, zone, expected) => {
    expect(new Date(toInstant(parseLocalDateTime(local)!, zone)).toISOString()).toBe(expected);
  });
});
