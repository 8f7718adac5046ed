import type { IncidentView } from '../../incidents';
import { declaredText, escapeText, helpText, movedText, noteText, onCallText, roleText, statusText, updateText } from './replies';

const incident: IncidentView = {
  id: '5f0c6a3e-0000-4000-8000-000000000001',
  number: 42,
  title: 'Checkout <down> & "payments"',
  summary: null,
  status: 'acknowledged',
  severity: 'SEV1',
  service: 'checkout',
  source: 'manual',
  roles: { commander: 'bob', deputy: null, scribe: null, communications: 'alice' },
  createdAt: '2026-03-14T09:42:00.000Z',
  acknowledgedAt: '2026-03-14T09:44:02.000Z',
  mitigatedAt: null,
  resolvedAt: null,
  alerts: { total: 3, firing: 2 },
  version: 7,
  allowedTransitions: ['mitigate', 'resolve'],
  chat: { channelId: 'C0INC1042AB', channelName: 'inc-42-checkout-down-payments' },
  lastStatusUpdateAt: null,
} as IncidentView;

const URL = 'https://sitrep.example.test/incidents/5f0c6a3e-0000-4000-8000-000000000001';

describe('Slack replies', () => {
  it.each([
    ['declared, channel coming', declaredText(incident, 'U0DEF456', URL, true), [`<${URL}|#42 Checkout &lt;down&gt; &amp; "payments">`, '*SEV1*', '<@U0DEF456>', 'Creating the incident channel']],
    ['declared, no channel', declaredText(incident, 'U0DEF456', URL, false), ['declared by <@U0DEF456>']],
    ['acknowledged with a note', movedText(incident, 'acknowledge', 'U0DEF456', 'on it <now>'), ['#42 Checkout &lt;down&gt;', 'acknowledged by <@U0DEF456>: on it &lt;now&gt;']],
    ['resolved', movedText(incident, 'resolve', 'U0ABC123', null), ['resolved by <@U0ABC123>']],
    ['role to a Slack user', roleText(incident, 'deputy', { slackUserId: 'U0ABC123', handle: 'alice' }, 'U0DEF456'), ['<@U0ABC123> is now deputy of #42', 'set by <@U0DEF456>']],
    ['role to a handle', roleText(incident, 'communications', { slackUserId: null, handle: 'dana' }, 'U0DEF456'), ['dana is now comms of #42']],
    ['note', noteText(incident, 'U0DEF456', 'a & b'), ['Note on #42', 'a &amp; b']],
    ['update', updateText(incident, 'U0DEF456', 'next in 30 min'), ['Status update on #42', 'next in 30 min']],
    ['status', statusText(incident, URL), ['*SEV1* · *acknowledged* · checkout', 'commander: bob · deputy: — · scribe: — · comms: alice', 'alerts: 2 firing of 3', 'channel: <#C0INC1042AB>']],
  ])('%s', (_name, text, parts) => {
    for (const part of parts) expect(text).toContain(part);
  });

  it('lists every command in help', () => {
    const help = helpText();
    for (const command of ['declare SEV1', 'ack', 'mitigate', 'resolve', 'commander @user', 'deputy @user', 'scribe @user', 'comms @user', 'note <text>', 'update <text>', 'status', 'oncall [schedule]', 'help'])
      expect(help).toContain(command);
  });

  it('says who is on call, with Slack mentions and a local-time date', () => {
    expect(
      onCallText(
        [
          { schedule: 'Payments primary', handle: 'alice', slackUserId: 'U0ABC123', until: '2026-03-16T09:00:00.000Z' },
          { schedule: 'DB <ops>', handle: 'dana', slackUserId: null, until: null },
          { schedule: 'Nights', handle: null, slackUserId: null, until: null },
        ],
        null,
      ),
    ).toBe(
      '*Payments primary*: <@U0ABC123> until <!date^1773651600^{date_short_pretty} {time}|2026-03-16T09:00:00.000Z>\n*DB &lt;ops&gt;*: dana\n*Nights*: nobody',
    );
    expect(onCallText([], 'Databases')).toContain('No schedule is called "Databases"');
    expect(onCallText([], null)).toBe('There are no on-call schedules yet.');
  });

  it('escapes only Slack’s three control characters', () => {
    expect(escapeText('a & b < c > d "e" :fire: 🔥')).toBe('a &amp; b &lt; c &gt; d "e" :fire: 🔥');
  });
});
