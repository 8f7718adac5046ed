import { stakeholderMessage, updateDueMessage } from './stakeholder-update';

describe('stakeholder messages', () => {
  const incident = { id: 'inc-1', number: 42, title: 'Checkout errors', severity: 'SEV1', status: 'acknowledged', service: 'checkout' };

  it.each([
    ['triggered', 'Investigating'],
    ['acknowledged', 'Investigating'],
    ['mitigated', 'Mitigated'],
    ['resolved', 'Resolved'],
  ])('a %s incident reads as %s', (status, word) => {
    const m = stakeholderMessage({ incident: { ...incident, status }, text: 'We rolled back.', author: 'erin', postedAt: '2026-12-04T10:00:00.000Z', publicUrl: 'https://s.example' });
    expect(m.subject).toBe(`[SEV1] Incident #42: Checkout errors — ${word}`);
  });

  it('carries title, severity, status, the update and the link', () => {
    const m = stakeholderMessage({ incident, text: 'We rolled back.', author: 'erin', postedAt: '2026-12-04T10:00:00.000Z', publicUrl: 'https://s.example' });
    expect(m.text).toBe(
      [
        'Status update on incident #42: Checkout errors',
        'Severity: SEV1 · Service: checkout',
        'Status: Investigating — responders are on it',
        '',
        'We rolled back.',
        '',
        'Posted by erin at 2026-12-04 10:00:00Z.',
        'Follow the incident: https://s.example/incidents/inc-1',
      ].join('\n'),
    );
  });

  it('reminds with the cadence and where to post', () => {
    const m = updateDueMessage({ incident, cadence: 'PT30M', since: '2026-12-04T10:00:00.000Z', publicUrl: 'https://s.example' });
    expect(m).toEqual({
      subject: 'Status update due: #42 Checkout errors',
      text: 'Incident #42 (SEV1) has had no status update since 2026-12-04 10:00:00Z; its cadence is PT30M.\nStakeholders are waiting: post one at https://s.example/incidents/inc-1',
    });
  });
});
