import {
  checkShiftRange,
  finalShifts,
  onCallAt,
  type Override,
  type ScheduleVersion,
  type Shift,
} from './final-schedule';
import type { Layer } from './schedule-definition';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const HOUR = 3600_000;

function version(timeZone: string, layers: Layer[], validFrom: number | null = null): ScheduleVersion {
  return { validFrom, definition: { name: 'primary', timeZone, layers } };
}

function layer(partial: Partial<Layer>): Layer {
  return { name: 'primary', members: ['alice', 'bob'], start: '2027-01-04T09:00', rotation: 'P1W', ...partial };
}

function override(partial: Partial<Override> & Pick<Override, 'handle' | 'start' | 'end' | 'seq'>): Override {
  return { id: `o${partial.seq}`, createdAt: -Infinity, deletedAt: null, ...partial };
}

/** Shifts as `handle start→end source` lines in UTC: one line per shift reads like the table. */
function lines(shifts: Shift[]): string[] {
  return shifts.map((s) => `${s.handle} ${iso(s.start)}→${iso(s.end)} ${s.source}`);
}

function shiftsOf(layers: Layer[], timeZone: string, from: string, to: string, overrides: Override[] = []): string[] {
  return lines(finalShifts({ versions: [version(timeZone, layers)], overrides, from: t(from), to: t(to) }));
}

describe('rotation types: PT…H is elapsed time, P…D / P…W hand off at the same wall-clock time', () => {
  it.each([
    {
      name: 'PT12H across the New York spring-forward: 12 hours each, the local handoff moves 08:00 → 09:00',
      layer: layer({ start: '2027-03-13T20:00', rotation: 'PT12H' }),
      zone: 'America/New_York',
      from: '2027-03-14T01:00Z',
      to: '2027-03-15T13:00Z',
      expected: [
        'alice 2027-03-14T01:00Z→2027-03-14T13:00Z primary',
        'bob 2027-03-14T13:00Z→2027-03-15T01:00Z primary',
        'alice 2027-03-15T01:00Z→2027-03-15T13:00Z primary',
      ],
    },
    {
      name: 'P1D across the New York spring-forward: the turn holding it lasts 23 hours',
      layer: layer({ start: '2027-03-13T09:00', rotation: 'P1D' }),
      zone: 'America/New_York',
      from: '2027-03-13T14:00Z',
      to: '2027-03-15T13:00Z',
      expected: [
        'alice 2027-03-13T14:00Z→2027-03-14T13:00Z primary',
        'bob 2027-03-14T13:00Z→2027-03-15T13:00Z primary',
      ],
    },
    {
      name: 'P1D across the New York fall-back: the turn holding it lasts 25 hours',
      layer: layer({ start: '2027-11-06T09:00', rotation: 'P1D' }),
      zone: 'America/New_York',
      from: '2027-11-06T13:00Z',
      to: '2027-11-08T14:00Z',
      expected: [
        'alice 2027-11-06T13:00Z→2027-11-07T14:00Z primary',
        'bob 2027-11-07T14:00Z→2027-11-08T14:00Z primary',
      ],
    },
    {
      name: 'P1W across the Berlin spring-forward: Monday 10:00 to Monday 10:00 is 167 hours',
      layer: layer({ start: '2027-03-22T10:00', rotation: 'P1W' }),
      zone: 'Europe/Berlin',
      from: '2027-03-22T09:00Z',
      to: '2027-04-05T08:00Z',
      expected: [
        'alice 2027-03-22T09:00Z→2027-03-29T08:00Z primary',
        'bob 2027-03-29T08:00Z→2027-04-05T08:00Z primary',
      ],
    },
    {
      name: 'P1W across the Berlin fall-back: 169 hours',
      layer: layer({ start: '2027-10-25T10:00', rotation: 'P1W' }),
      zone: 'Europe/Berlin',
      from: '2027-10-25T08:00Z',
      to: '2027-11-08T09:00Z',
      expected: [
        'alice 2027-10-25T08:00Z→2027-11-01T09:00Z primary',
        'bob 2027-11-01T09:00Z→2027-11-08T09:00Z primary',
      ],
    },
    {
      name: 'PT8H in Berlin across the fall-back: three 8-hour turns a day, the last ends at 07:00 local',
      layer: layer({ members: ['a', 'b', 'c'], start: '2027-10-30T16:00', rotation: 'PT8H' }),
      zone: 'Europe/Berlin',
      from: '2027-10-30T14:00Z',
      to: '2027-10-31T14:00Z',
      expected: [
        'a 2027-10-30T14:00Z→2027-10-30T22:00Z primary',
        'b 2027-10-30T22:00Z→2027-10-31T06:00Z primary',
        'c 2027-10-31T06:00Z→2027-10-31T14:00Z primary',
      ],
    },
    {
      name: 'members take turns round and round; before start nobody',
      layer: layer({ members: ['a', 'b', 'c'], start: '2027-01-04T00:00', rotation: 'P1D' }),
      zone: 'UTC',
      from: '2027-01-03T00:00Z',
      to: '2027-01-09T00:00Z',
      expected: [
        'a 2027-01-04T00:00Z→2027-01-05T00:00Z primary',
        'b 2027-01-05T00:00Z→2027-01-06T00:00Z primary',
        'c 2027-01-06T00:00Z→2027-01-07T00:00Z primary',
        'a 2027-01-07T00:00Z→2027-01-08T00:00Z primary',
        'b 2027-01-08T00:00Z→2027-01-09T00:00Z primary',
      ],
    },
    {
      name: 'a range far after the start lands on the right turn (P2W, 3 members, 5 years on)',
      layer: layer({ members: ['a', 'b', 'c'], start: '2022-01-03T09:00', rotation: 'P2W' }),
      zone: 'Europe/Berlin',
      from: '2027-01-01T00:00Z',
      to: '2027-01-20T00:00Z',
      // 2022-01-03 → 2026-12-28 is 1820 days = 130 turns of 14 days: turn 130 is 130 mod 3 = 1 → b.
      expected: ['b 2027-01-01T00:00Z→2027-01-11T08:00Z primary', 'c 2027-01-11T08:00Z→2027-01-20T00:00Z primary'],
    },
  ])('$name', ({ layer: l, zone, from, to, expected }) => {
    expect(shiftsOf([l], zone, from, to)).toEqual(expected);
  });
});

describe('handoffs at local times that do not exist or occur twice', () => {
  it.each([
    {
      name: 'New York spring-forward: 02:30 does not exist → 03:00 EDT, the first valid instant after',
      zone: 'America/New_York',
      start: '2027-03-13T02:30',
      from: '2027-03-13T07:30Z',
      to: '2027-03-16T06:30Z',
      expected: [
        'alice 2027-03-13T07:30Z→2027-03-14T07:00Z primary',
        'bob 2027-03-14T07:00Z→2027-03-15T06:30Z primary',
        'alice 2027-03-15T06:30Z→2027-03-16T06:30Z primary',
      ],
    },
    {
      name: 'Berlin spring-forward: 02:30 does not exist → 03:00 CEST',
      zone: 'Europe/Berlin',
      start: '2027-03-27T02:30',
      from: '2027-03-27T01:30Z',
      to: '2027-03-29T00:30Z',
      expected: [
        'alice 2027-03-27T01:30Z→2027-03-28T01:00Z primary',
        'bob 2027-03-28T01:00Z→2027-03-29T00:30Z primary',
      ],
    },
    {
      name: 'New York fall-back: 01:30 happens twice → the first (EDT)',
      zone: 'America/New_York',
      start: '2027-11-06T01:30',
      from: '2027-11-06T05:30Z',
      to: '2027-11-08T06:30Z',
      expected: [
        'alice 2027-11-06T05:30Z→2027-11-07T05:30Z primary',
        'bob 2027-11-07T05:30Z→2027-11-08T06:30Z primary',
      ],
    },
    {
      name: 'Berlin fall-back: 02:30 happens twice → the first (CEST)',
      zone: 'Europe/Berlin',
      start: '2027-10-30T02:30',
      from: '2027-10-30T00:30Z',
      to: '2027-11-01T01:30Z',
      expected: [
        'alice 2027-10-30T00:30Z→2027-10-31T00:30Z primary',
        'bob 2027-10-31T00:30Z→2027-11-01T01:30Z primary',
      ],
    },
    {
      name: 'a layer whose very start does not exist begins at the jump',
      zone: 'America/New_York',
      start: '2027-03-14T02:15',
      from: '2027-03-14T00:00Z',
      to: '2027-03-14T12:00Z',
      expected: ['alice 2027-03-14T07:00Z→2027-03-14T12:00Z primary'],
    },
  ])('$name', ({ zone, start, from, to, expected }) => {
    expect(shiftsOf([layer({ start, rotation: 'P1D' })], zone, from, to)).toEqual(expected);
  });
});

describe('restrictions: the layer covers only its windows, its turns still advance', () => {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
  it.each([
    {
      name: 'weekday daytime with a daily rotation: the weekend skips nobody’s turn',
      layer: layer({
        start: '2027-01-04T00:00',
        rotation: 'P1D',
        restrictions: [{ days: [...weekdays], from: '09:00', to: '17:00' }],
      }),
      zone: 'UTC',
      from: '2027-01-07T00:00Z',
      to: '2027-01-12T00:00Z',
      // Turn index by day: Thu 3 → bob, Fri 4 → alice, Sat 5, Sun 6 (outside), Mon 7 → bob.
      expected: [
        'bob 2027-01-07T09:00Z→2027-01-07T17:00Z primary',
        'alice 2027-01-08T09:00Z→2027-01-08T17:00Z primary',
        'bob 2027-01-11T09:00Z→2027-01-11T17:00Z primary',
      ],
    },
    {
      name: 'an overnight window runs into the next day and belongs to the day it starts',
      layer: layer({
        start: '2027-01-04T12:00',
        rotation: 'P1D',
        restrictions: [{ days: ['fri'], from: '22:00', to: '06:00' }],
      }),
      zone: 'UTC',
      from: '2027-01-08T00:00Z',
      to: '2027-01-10T00:00Z',
      // Friday's window (Fri 22:00 → Sat 06:00) lies inside turn 4 (Fri 12:00 → Sat 12:00): alice.
      expected: ['alice 2027-01-08T22:00Z→2027-01-09T06:00Z primary'],
    },
    {
      name: 'a handoff inside an overnight window splits it between two people',
      layer: layer({
        start: '2027-01-04T00:00',
        rotation: 'P1D',
        restrictions: [{ days: [...weekdays], from: '18:00', to: '08:00' }],
      }),
      zone: 'UTC',
      from: '2027-01-04T00:00Z',
      to: '2027-01-06T00:00Z',
      expected: [
        'alice 2027-01-04T18:00Z→2027-01-05T00:00Z primary',
        'bob 2027-01-05T00:00Z→2027-01-05T08:00Z primary',
        'bob 2027-01-05T18:00Z→2027-01-06T00:00Z primary',
      ],
    },
    {
      name: 'an overnight window that began before the range is still open at its start',
      layer: layer({
        members: ['alice'],
        start: '2027-01-01T00:00',
        rotation: 'P1W',
        restrictions: [{ days: ['sun'], from: '20:00', to: '04:00' }],
      }),
      zone: 'UTC',
      from: '2027-01-04T01:00Z',
      to: '2027-01-05T00:00Z',
      expected: ['alice 2027-01-04T01:00Z→2027-01-04T04:00Z primary'],
    },
    {
      name: 'from = to is a whole day, from that time to the same time next day',
      layer: layer({
        members: ['alice'],
        start: '2027-01-01T00:00',
        rotation: 'P1W',
        restrictions: [{ days: ['sat'], from: '08:00', to: '08:00' }],
      }),
      zone: 'UTC',
      from: '2027-01-08T00:00Z',
      to: '2027-01-11T00:00Z',
      expected: ['alice 2027-01-09T08:00Z→2027-01-10T08:00Z primary'],
    },
    {
      name: 'windows are local: 09:00–17:00 in New York is 14:00Z before the spring-forward and 13:00Z after',
      layer: layer({
        members: ['alice'],
        start: '2027-03-01T00:00',
        rotation: 'P1W',
        restrictions: [{ days: ['fri', 'mon'], from: '09:00', to: '17:00' }],
      }),
      zone: 'America/New_York',
      from: '2027-03-12T00:00Z',
      to: '2027-03-16T00:00Z',
      expected: [
        'alice 2027-03-12T14:00Z→2027-03-12T22:00Z primary',
        'alice 2027-03-15T13:00Z→2027-03-15T21:00Z primary',
      ],
    },
    {
      name: 'an overnight window across the Berlin spring-forward is an hour shorter',
      layer: layer({
        members: ['alice'],
        start: '2027-03-01T00:00',
        rotation: 'P1W',
        restrictions: [{ days: ['sat'], from: '22:00', to: '06:00' }],
      }),
      zone: 'Europe/Berlin',
      from: '2027-03-27T00:00Z',
      to: '2027-03-29T00:00Z',
      expected: ['alice 2027-03-27T21:00Z→2027-03-28T04:00Z primary'],
    },
  ])('$name', ({ layer: l, zone, from, to, expected }) => {
    expect(shiftsOf([l], zone, from, to)).toEqual(expected);
  });
});

describe('layers, gaps, overrides, merging and clipping', () => {
  const primary = layer({ name: 'primary', members: ['alice'], start: '2027-01-04T00:00', rotation: 'P1W' });
  const daytime = layer({
    name: 'secondary',
    members: ['bob', 'carol'],
    start: '2027-01-04T00:00',
    rotation: 'P1D',
    restrictions: [{ days: ['mon', 'tue'], from: '09:00', to: '17:00' }],
  });
  it.each([
    {
      name: 'a later layer wins wherever it has somebody; the earlier one fills the rest',
      layers: [primary, daytime],
      from: '2027-01-04T00:00Z',
      to: '2027-01-06T00:00Z',
      overrides: [],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-04T09:00Z primary',
        'bob 2027-01-04T09:00Z→2027-01-04T17:00Z secondary',
        'alice 2027-01-04T17:00Z→2027-01-05T09:00Z primary',
        'carol 2027-01-05T09:00Z→2027-01-05T17:00Z secondary',
        'alice 2027-01-05T17:00Z→2027-01-06T00:00Z primary',
      ],
    },
    {
      name: 'an earlier layer never shows through a later one where both have somebody',
      layers: [daytime, primary],
      from: '2027-01-04T00:00Z',
      to: '2027-01-06T00:00Z',
      overrides: [],
      expected: ['alice 2027-01-04T00:00Z→2027-01-06T00:00Z primary'],
    },
    {
      name: 'a gap is nobody and is left out',
      layers: [daytime],
      from: '2027-01-04T00:00Z',
      to: '2027-01-07T00:00Z',
      overrides: [],
      expected: [
        'bob 2027-01-04T09:00Z→2027-01-04T17:00Z secondary',
        'carol 2027-01-05T09:00Z→2027-01-05T17:00Z secondary',
      ],
    },
    {
      name: 'an override wins over every layer, and fills a gap',
      layers: [daytime],
      from: '2027-01-04T00:00Z',
      to: '2027-01-05T00:00Z',
      overrides: [override({ handle: 'dave', start: t('2027-01-04T16:00Z'), end: t('2027-01-04T20:00Z'), seq: 1 })],
      expected: [
        'bob 2027-01-04T09:00Z→2027-01-04T16:00Z secondary',
        'dave 2027-01-04T16:00Z→2027-01-04T20:00Z override',
      ],
    },
    {
      name: 'the newest override wins where two overlap, whatever their order in the list',
      layers: [primary],
      from: '2027-01-04T00:00Z',
      to: '2027-01-05T00:00Z',
      overrides: [
        override({ handle: 'erin', start: t('2027-01-04T12:00Z'), end: t('2027-01-04T14:00Z'), seq: 7 }),
        override({ handle: 'dave', start: t('2027-01-04T10:00Z'), end: t('2027-01-04T18:00Z'), seq: 3 }),
      ],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-04T10:00Z primary',
        'dave 2027-01-04T10:00Z→2027-01-04T12:00Z override',
        'erin 2027-01-04T12:00Z→2027-01-04T14:00Z override',
        'dave 2027-01-04T14:00Z→2027-01-04T18:00Z override',
        'alice 2027-01-04T18:00Z→2027-01-05T00:00Z primary',
      ],
    },
    {
      name: 'a newer override hides an older one it covers entirely',
      layers: [primary],
      from: '2027-01-04T00:00Z',
      to: '2027-01-04T12:00Z',
      overrides: [
        override({ handle: 'dave', start: t('2027-01-04T02:00Z'), end: t('2027-01-04T04:00Z'), seq: 1 }),
        override({ handle: 'erin', start: t('2027-01-04T01:00Z'), end: t('2027-01-04T05:00Z'), seq: 2 }),
      ],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-04T01:00Z primary',
        'erin 2027-01-04T01:00Z→2027-01-04T05:00Z override',
        'alice 2027-01-04T05:00Z→2027-01-04T12:00Z primary',
      ],
    },
    {
      name: 'adjacent shifts of one person merge: a one-member daily layer is one shift',
      layers: [layer({ members: ['alice'], start: '2027-01-01T09:00', rotation: 'P1D' })],
      from: '2027-01-04T00:00Z',
      to: '2027-01-10T00:00Z',
      overrides: [],
      expected: ['alice 2027-01-04T00:00Z→2027-01-10T00:00Z primary'],
    },
    {
      name: 'two touching overrides of one person merge; a different source stays its own shift',
      layers: [primary],
      from: '2027-01-04T00:00Z',
      to: '2027-01-04T12:00Z',
      overrides: [
        override({ handle: 'dave', start: t('2027-01-04T02:00Z'), end: t('2027-01-04T04:00Z'), seq: 1 }),
        override({ handle: 'dave', start: t('2027-01-04T04:00Z'), end: t('2027-01-04T06:00Z'), seq: 2 }),
        override({ handle: 'alice', start: t('2027-01-04T06:00Z'), end: t('2027-01-04T07:00Z'), seq: 3 }),
      ],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-04T02:00Z primary',
        'dave 2027-01-04T02:00Z→2027-01-04T06:00Z override',
        'alice 2027-01-04T06:00Z→2027-01-04T07:00Z override',
        'alice 2027-01-04T07:00Z→2027-01-04T12:00Z primary',
      ],
    },
    {
      name: 'shifts are clipped to [from, to)',
      layers: [layer({ start: '2027-01-04T09:00', rotation: 'P1W' })],
      from: '2027-01-06T15:30Z',
      to: '2027-01-12T10:00Z',
      overrides: [override({ handle: 'dave', start: t('2027-01-01T00:00Z'), end: t('2027-01-06T16:00Z'), seq: 1 })],
      expected: [
        'dave 2027-01-06T15:30Z→2027-01-06T16:00Z override',
        'alice 2027-01-06T16:00Z→2027-01-11T09:00Z primary',
        'bob 2027-01-11T09:00Z→2027-01-12T10:00Z primary',
      ],
    },
  ])('$name', ({ layers, from, to, overrides, expected }) => {
    expect(shiftsOf(layers, 'UTC', from, to, overrides)).toEqual(expected);
  });
});

describe('history: versions and overrides never rewrite the past', () => {
  const before = version('UTC', [layer({ members: ['alice', 'bob'], start: '2027-01-04T00:00', rotation: 'P1D' })]);
  const edited = {
    ...version('UTC', [layer({ members: ['carol'], start: '2027-01-04T00:00', rotation: 'P1D' })]),
    validFrom: t('2027-01-05T12:00Z'),
  };
  it.each([
    {
      name: 'an edit takes effect at its instant: before it the old layers, after it the new',
      versions: [before, edited],
      overrides: [],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-05T00:00Z primary',
        'bob 2027-01-05T00:00Z→2027-01-05T12:00Z primary',
        'carol 2027-01-05T12:00Z→2027-01-07T00:00Z primary',
      ],
    },
    {
      name: 'versions are taken in order of their validity, not of the list',
      versions: [edited, before],
      overrides: [],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-05T00:00Z primary',
        'bob 2027-01-05T00:00Z→2027-01-05T12:00Z primary',
        'carol 2027-01-05T12:00Z→2027-01-07T00:00Z primary',
      ],
    },
    {
      name: 'an override is in force only from when it was made until it was deleted',
      versions: [before],
      overrides: [
        override({
          handle: 'dave',
          start: t('2027-01-04T00:00Z'),
          end: t('2027-01-07T00:00Z'),
          createdAt: t('2027-01-04T06:00Z'),
          deletedAt: t('2027-01-04T08:00Z'),
          seq: 1,
        }),
      ],
      expected: [
        'alice 2027-01-04T00:00Z→2027-01-04T06:00Z primary',
        'dave 2027-01-04T06:00Z→2027-01-04T08:00Z override',
        'alice 2027-01-04T08:00Z→2027-01-05T00:00Z primary',
        'bob 2027-01-05T00:00Z→2027-01-06T00:00Z primary',
        'alice 2027-01-06T00:00Z→2027-01-07T00:00Z primary',
      ],
    },
  ])('$name', ({ versions, overrides, expected }) => {
    expect(
      lines(finalShifts({ versions, overrides, from: t('2027-01-04T00:00Z'), to: t('2027-01-07T00:00Z') })),
    ).toEqual(expected);
  });
});

describe('on call at an instant', () => {
  const versions = [version('Europe/Berlin', [layer({ start: '2027-01-04T09:00', rotation: 'P1W' })])];
  it.each([
    { at: '2027-01-06T03:21Z', expected: 'alice 2027-01-04T08:00Z→2027-01-11T08:00Z primary' },
    { at: '2027-01-11T08:00Z', expected: 'bob 2027-01-11T08:00Z→2027-01-18T08:00Z primary' },
    { at: '2027-01-11T07:59:59.999Z', expected: 'alice 2027-01-04T08:00Z→2027-01-11T08:00Z primary' },
    { at: '2027-01-04T07:00Z', expected: null },
  ])('at $at', ({ at, expected }) => {
    const shift = onCallAt({ versions, overrides: [], at: t(at) });
    expect(shift ? lines([shift])[0] : null).toEqual(expected);
  });

  it('reports a shift longer than the look-around cut at its edges', () => {
    const shift = onCallAt({
      versions: [version('UTC', [layer({ members: ['alice'], start: '2020-01-01T00:00' })])],
      overrides: [],
      at: t('2027-01-01T00:00Z'),
    });
    expect(shift && (shift.end - shift.start) / HOUR).toBe(90 * 24);
  });
});

describe('the shifts range', () => {
  it.each([
    { from: '2027-01-01T00:00Z', to: '2027-04-04T00:00Z', problems: [] },
    {
      from: '2027-01-01T00:00Z',
      to: '2027-04-04T00:00:00.001Z',
      problems: [{ path: 'to', problem: 'must be at most 93 days after from' }],
    },
    { from: '2027-01-02T00:00Z', to: '2027-01-01T00:00Z', problems: [{ path: 'to', problem: 'must be after from' }] },
    { from: '2027-01-01T00:00Z', to: '2027-01-01T00:00Z', problems: [{ path: 'to', problem: 'must be after from' }] },
  ])('$from → $to', ({ from, to, problems }) => {
    expect(checkShiftRange(t(from), t(to))).toEqual(problems);
  });

  it('93 days of hourly turns in four layers resolve', () => {
    const layers = ['a', 'b', 'c', 'd'].map((name, i) =>
      layer({
        name,
        members: ['x', 'y', 'z'],
        start: '2027-01-01T00:00',
        rotation: `PT${i + 1}H`,
        restrictions: i % 2 ? [{ days: ['mon', 'wed'], from: '22:00', to: '03:00' }] : undefined,
      }),
    );
    const shifts = finalShifts({
      versions: [version('Europe/Berlin', layers)],
      overrides: [],
      from: t('2027-01-01T00:00Z'),
      to: t('2027-04-04T00:00Z'),
    });
    expect(shifts.length).toBeGreaterThan(500);
    for (let i = 1; i < shifts.length; i++) expect(shifts[i].start).toBeGreaterThanOrEqual(shifts[i - 1].end);
  });
});
