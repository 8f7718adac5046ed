import { ActiveWindow, coveringWindow, parseMaintenanceWindow } from './maintenance-window';

const now = new Date('2026-03-14T02:00:00Z');
const valid = {
  services: ['search', ' billing ', 'search'],
  start: '2026-03-14T02:00:00Z',
  end: '2026-03-14T04:00:00+01:00',
  reason: 'Reindex',
};

describe('parseMaintenanceWindow', () => {
  it('trims and dedupes services and reads offsets', () => {
    expect(parseMaintenanceWindow(valid, now)).toEqual({
      window: {
        services: ['search', 'billing'],
        start: new Date('2026-03-14T02:00:00Z'),
        end: new Date('2026-03-14T03:00:00Z'),
        reason: 'Reindex',
      },
    });
  });

  it.each<[string, unknown, string[]]>([
    ['not an object', [], ['body']],
    ['no services', { ...valid, services: [] }, ['services']],
    ['services not a list', { ...valid, services: 'search' }, ['services']],
    ['a blank service', { ...valid, services: ['search', '  '] }, ['services[1]']],
    ['a service with a control character', { ...valid, services: ['se\u0007arch'] }, ['services[0]']],
    ['a time without offset', { ...valid, start: '2026-03-14T02:00:00' }, ['start']],
    ['a date only', { ...valid, end: '2026-03-15' }, ['end']],
    ['an impossible date', { ...valid, end: '2026-02-30T25:00:00Z' }, ['end']],
    ['end before start', { ...valid, end: '2026-03-14T01:00:00Z', start: '2026-03-14T01:30:00Z' }, ['end']],
    ['end equal to start', { ...valid, end: '2026-03-14T02:00:00Z' }, ['end']],
    ['end in the past', { ...valid, start: '2026-03-14T00:00:00Z', end: '2026-03-14T01:00:00Z' }, ['end']],
    ['longer than 90 days', { ...valid, end: '2026-07-14T02:00:00Z' }, ['end']],
    ['no reason', { ...valid, reason: undefined }, ['reason']],
    ['a blank reason', { ...valid, reason: '   ' }, ['reason']],
    ['a reason with NUL', { ...valid, reason: 'Re\u0000index' }, ['reason']],
    ['a reason with an unpaired surrogate', { ...valid, reason: 'Reindex \uD83D' }, ['reason']],
    ['an unknown field', { ...valid, silence: true }, ['silence']],
    ['everything wrong', {}, ['services', 'start', 'end', 'reason']],
  ])('%s → 400 naming %j', (_name, body, paths) => {
    const result = parseMaintenanceWindow(body, now);
    expect('problems' in result && result.problems.map((p) => p.path)).toEqual(paths);
  });
});

describe('coveringWindow', () => {
  const a: ActiveWindow = { id: 'a', services: ['search'], endsAt: new Date('2026-03-14T03:00:00Z') };
  const b: ActiveWindow = { id: 'b', services: ['search', 'billing'], endsAt: new Date('2026-03-14T05:00:00Z') };
  it.each<[string | null, ActiveWindow[], string | null]>([
    ['search', [a, b], 'b'],
    ['search', [b, a], 'b'],
    ['billing', [a, b], 'b'],
    ['checkout', [a, b], null],
    [null, [a, b], null],
    ['search', [], null],
  ])('%s under %j → %s', (service, windows, expected) => {
    expect(coveringWindow(windows, service)?.id ?? null).toBe(expected);
  });
});
