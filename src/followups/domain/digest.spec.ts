import { addDays, dayIn, digestInstant, digestMessage, plannedDigests, selectForDigest } from './digest';

describe('digest days and times', () => {
  it.each([
    ['2026-12-04T23:30:00Z', 'UTC', '2026-12-04'],
    ['2026-12-04T23:30:00Z', 'Europe/Berlin', '2026-12-05'],
    ['2026-12-05T03:00:00Z', 'America/Los_Angeles', '2026-12-04'],
  ])('%s in %s is %s', (now, zone, day) => expect(dayIn(new Date(now), zone)).toBe(day));

  it.each([
    ['2026-12-04', '09:00', 'Europe/Berlin', '2026-12-04T08:00:00.000Z'],
    ['2026-07-04', '09:00', 'Europe/Berlin', '2026-07-04T07:00:00.000Z'],
    ['2026-03-29', '02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'], // skipped by DST: moves forward
    ['2026-12-04', '09:00', 'UTC', '2026-12-04T09:00:00.000Z'],
  ])('%s %s %s is %s', (day, time, zone, iso) => expect(digestInstant(day, time, zone).toISOString()).toBe(iso));

  it.each([
    ['before the time: today and tomorrow', '2026-12-04T07:00:00Z', ['2026-12-04', '2026-12-05']],
    ['missed by 20 minutes: today is caught up', '2026-12-04T09:20:00Z', ['2026-12-04', '2026-12-05']],
    ['missed by 7 hours: only tomorrow', '2026-12-04T16:00:00Z', ['2026-12-05']],
  ])('%s', (_, now, days) => {
    const planned = plannedDigests(new Date(now), '09:00', 'UTC', 6 * 3600_000);
    expect(planned.map((p) => p.day)).toEqual(days);
    expect(planned[0].key).toBe(`${days[0]}T09:00@UTC`);
  });

  it('adds calendar days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('what a digest lists', () => {
  const item = (id: string, dueDate: string, extra: Partial<{ incidentId: string; tags: string[] }> = {}) => ({
    id,
    title: `Item ${id}`,
    dueDate,
    incidentId: extra.incidentId ?? null,
    tags: extra.tags ?? [],
  });
  const today = '2026-12-04';

  it('overdue before today, due soon up to two days ahead, later ones left out', () => {
    const content = selectForDigest(
      [item('e', '2026-12-07'), item('b', '2026-12-04'), item('a', '2026-12-01'), item('c', '2026-12-06'), item('d', '2026-12-03')],
      today,
    );
    expect(content.overdue.map((i) => i.id)).toEqual(['a', 'd']);
    expect(content.dueSoon.map((i) => i.id)).toEqual(['b', 'c']);
  });

  it('writes one message with links, relative due dates and the overdue count', () => {
    const content = selectForDigest(
      [item('1', '2026-12-02', { tags: ['security-roundup-2026-12'] }), item('2', '2026-12-05', { incidentId: 'inc-9' })],
      today,
    );
    const message = digestMessage({ handle: 'carol', name: 'Carol' }, content, today, 'https://sitrep.example.com');
    expect(message.subject).toBe('2 action items need you (1 overdue)');
    expect(message.text).toBe(
      [
        'Hi Carol, here are your open action items for 2026-12-04.',
        '',
        'Overdue:',
        '• Item 1 — due 2026-12-02 (2 days overdue) — #security-roundup-2026-12',
        '',
        'Due in the next 2 days:',
        '• Item 2 — due 2026-12-05 (tomorrow) — incident https://sitrep.example.com/incidents/inc-9',
        '',
        'All your items, and a Done button for each: https://sitrep.example.com/action-items?owner=carol',
      ].join('\n'),
    );
  });
});
