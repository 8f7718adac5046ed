import { verifyVerdict } from './verify';

describe('verifyVerdict', () => {
  const deadline = new Date('2026-12-04T03:31:00Z');
  const before = new Date('2026-12-04T03:25:00Z');
  const after = new Date('2026-12-04T03:31:00Z');
  it.each([
    ['all resolved before the deadline', ['resolved', 'resolved'], before, 'verified'],
    ['all resolved at the deadline', ['resolved'], after, 'verified'],
    ['one still firing before the deadline', ['resolved', 'firing'], before, 'pending'],
    ['one still firing at the deadline', ['resolved', 'firing'], after, 'unverified'],
    ['no alerts at all proves nothing', [], after, 'unverified'],
  ])('%s', (_, statuses, now, expected) => {
    expect(verifyVerdict(statuses, now, deadline)).toBe(expected);
  });
});
