import { ActiveHours, AutomationGuards } from './automation';
import { checkGuards, runsInLastHour, withinActiveHours } from './guards';

const at = (iso: string) => new Date(iso);
const minutesBefore = (now: Date, m: number) => new Date(now.getTime() - m * 60_000);

describe('checkGuards', () => {
  const now = at('2026-12-04T03:21:00Z');
  const guards: AutomationGuards = { maxRunsPerHour: 2 };
  const cases: Array<
    [string, AutomationGuards, Date[], boolean, { allow: boolean; record?: boolean; reason?: RegExp }]
  > = [
    ['first occurrence runs', guards, [], false, { allow: true }],
    ['a decided occurrence is dropped silently', guards, [], true, { allow: false, record: false }],
    ['under the cap runs', guards, [minutesBefore(now, 10)], false, { allow: true }],
    [
      'at the cap is skipped with a reason',
      guards,
      [minutesBefore(now, 10), minutesBefore(now, 50)],
      false,
      { allow: false, record: true, reason: /maxRunsPerHour/ },
    ],
    [
      'the hour slides: older runs do not count',
      guards,
      [minutesBefore(now, 61), minutesBefore(now, 90)],
      false,
      { allow: true },
    ],
    [
      'outside active hours is skipped',
      {
        maxRunsPerHour: 6,
        activeHours: { timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
      },
      [],
      false,
      { allow: false, record: true, reason: /outside active hours/ },
    ],
  ];
  it.each(cases)('%s', (_, g, runs, decided, expected) => {
    const verdict = checkGuards(g, { now, recentRunTimes: runs, occurrenceDecided: decided });
    expect(verdict.allow).toBe(expected.allow);
    if (!verdict.allow) {
      expect(verdict.record).toBe(expected.record);
      if (expected.reason) expect(verdict.reason).toMatch(expected.reason);
    }
  });
});

describe('runsInLastHour', () => {
  const now = at('2026-12-04T12:00:00Z');
  it.each([
    ['none', [], 0],
    ['59 minutes ago counts', [minutesBefore(now, 59)], 1],
    ['exactly an hour ago does not', [minutesBefore(now, 60)], 0],
    ['future (clock skew) does not', [new Date(now.getTime() + 1000)], 0],
  ])('%s', (_, runs, expected) => {
    expect(runsInLastHour(runs as Date[], now)).toBe(expected);
  });
});

describe('withinActiveHours', () => {
  const weekdaysNight: ActiveHours = {
    timeZone: 'Europe/Berlin',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    from: '22:00',
    to: '06:00',
  };
  const office: ActiveHours = {
    timeZone: 'America/New_York',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    from: '09:00',
    to: '17:00',
  };
  const cases: Array<[string, ActiveHours, string, boolean]> = [
    // 2026-12-04 is a Friday.
    ['office hours, Friday 10:00 New York', office, '2026-12-04T15:00:00Z', true],
    ['office hours, Friday 08:59 New York', office, '2026-12-04T13:59:00Z', false],
    ['office hours end is exclusive', office, '2026-12-04T22:00:00Z', false],
    ['office hours, Saturday', office, '2026-12-05T15:00:00Z', false],
    ['overnight, Friday 23:00 Berlin (starts Friday)', weekdaysNight, '2026-12-04T22:00:00Z', true],
    ['overnight, Saturday 03:21 Berlin belongs to Friday night', weekdaysNight, '2026-12-05T02:21:00Z', true],
    [
      'overnight, Sunday 03:21 Berlin belongs to Saturday night (not listed)',
      weekdaysNight,
      '2026-12-06T02:21:00Z',
      false,
    ],
    [
      'overnight, Monday 03:21 Berlin belongs to Sunday night (not listed)',
      weekdaysNight,
      '2026-12-07T02:21:00Z',
      false,
    ],
    ['overnight, Tuesday 03:21 Berlin belongs to Monday night', weekdaysNight, '2026-12-08T02:21:00Z', true],
    ['overnight, midday is outside', weekdaysNight, '2026-12-08T11:00:00Z', false],
    ['DST: New York 09:30 in summer is 13:30 UTC', office, '2026-07-08T13:30:00Z', true],
    ['DST: the same UTC instant in winter is 08:30 New York', office, '2026-12-09T13:30:00Z', false],
  ];
  it.each(cases)('%s', (_, hours, now, expected) => {
    expect(withinActiveHours(hours, at(now))).toBe(expected);
  });
});
