import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import type { JobPayload } from '../notification-planner';
import { DeliveryError } from './delivery-error';
import { classifySmtpError } from './email.client';
import { emailMessage } from './email-message';
import type { MessageInput } from './message-facts';
import { classifySlackError } from './slack.client';
import { escapedWithin, escapeSlack, rootMessage, SLACK_LIMITS, threadReply } from './slack-message';

const input = (over: Partial<MessageInput['incident']> = {}, payload?: Partial<JobPayload>): MessageInput => ({
  incident: {
    id: '6f1c1b7e-0000-4000-8000-000000000001',
    number: 42,
    title: 'Checkout & refunds <5xx>',
    summary: null,
    severity: 'SEV1',
    status: 'triggered',
    service: 'checkout',
    roles: { commander: 'alice', deputy: null },
    version: 3,
    ...over,
  },
  link: 'https://sitrep.example.com/incidents/6f1c1b7e-0000-4000-8000-000000000001',
  payload: { events: [], audience: 'channel', ...payload },
  ackTimeoutSeconds: 300,
});

describe('Slack messages', () => {
  const actionIds = (message: ReturnType<typeof rootMessage>) =>
    (message.blocks.find((b) => b.type === 'actions')?.elements as Array<{ action_id: string; value: string }> | undefined)?.map(
      (e) => `${e.action_id}=${e.value}`,
    );

  it.each([
    ['triggered', ['incident.acknowledge', 'incident.resolve', 'incident.take_command']],
    ['acknowledged', ['incident.resolve', 'incident.take_command']],
    ['mitigated', ['incident.resolve', 'incident.take_command']],
    ['resolved', undefined],
  ] as const)('the announcement of a %s incident carries the buttons that still apply', (status, ids) => {
    const message = rootMessage(input({ status }));
    expect(actionIds(message)).toEqual(ids?.map((id) => `${id}=6f1c1b7e-0000-4000-8000-000000000001`));
  });

  it("links the incident's own channel when it has one", () => {
    const linked = JSON.stringify(rootMessage(input({ chat: { channelId: 'C0INC42', channelName: 'inc-42-checkout' } })).blocks);
    expect(linked).toContain('Incident channel: <#C0INC42>');
    expect(JSON.stringify(rootMessage(input()).blocks)).not.toContain('Incident channel');
  });

  it('escapes only & < > and never cuts an entity in half', () => {
    expect(escapeSlack('a & b < c > d * _')).toBe('a &amp; b &lt; c &gt; d * _');
    const cut = escapedWithin('x'.repeat(8) + '&&&&', 11);
    expect(cut).toBe('xxxxxxxx…');
    expect([...escapedWithin('é'.repeat(5000), 3000)]).toHaveLength(3000);
  });

  it('keeps the root message within Block Kit limits with huge text', () => {
    const message = rootMessage(input({ title: 'T'.repeat(200), summary: '<'.repeat(5000) }));
    const header = message.blocks[0] as any;
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    const summary = message.blocks.find((b: any) => b.type === 'section' && b.text) as any;
    expect([...summary.text.text].length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(summary.text.text.endsWith('…')).toBe(true);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect((message.blocks[1] as any).fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
  });

  it('lists at most 20 changes in a thread reply and counts the rest', () => {
    const events = Array.from({ length: 25 }, (_, i) => ({
      seq: i + 2,
      type: 'incident.severity_changed',
      actor: 'alice',
      occurredAt: new Date().toISOString(),
      data: { from: 'SEV2', to: 'SEV1', reason: null },
    }));
    const reply = threadReply(input({}, { events }));
    const body = (reply.blocks[0] as any).text.text as string;
    expect(body.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(20);
    expect(body).toContain('… and 5 more changes');
  });
});

describe('email message', () => {
  it('has a one-line subject and HTML-escaped facts', () => {
    const mail = emailMessage(
      input({ title: 'Line\r\nbreak <b>' }, { events: [{ seq: 1, type: 'incident.declared', actor: 'a', occurredAt: '', data: { severity: 'SEV1' } }], audience: 'list' }),
    );
    expect(mail.subject).toBe('[SEV1] Incident #42 declared: Line break <b>');
    expect(mail.html).toContain('Line\r\nbreak &lt;b&gt;');
    expect(mail.text).toContain('Open the incident: https://sitrep.example.com/incidents/');
  });
});

describe('error classification', () => {
  const kind = (e: Error) => (e as DeliveryError).kind;

  it('Slack: 429 → rate limited with Retry-After; ok:false → permanent unless transient by nature; 5xx/network → transient', () => {
    const limited = classifySlackError('chat.postMessage', new WebAPIRateLimitedError(7)) as DeliveryError;
    expect([limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 7000]);
    expect(kind(classifySlackError('chat.postMessage', new WebAPIPlatformError({ ok: false, error: 'channel_not_found' })))).toBe('permanent');
    expect(kind(classifySlackError('chat.postMessage', new WebAPIPlatformError({ ok: false, error: 'internal_error' })))).toBe('transient');
    expect(kind(classifySlackError('chat.postMessage', new WebAPIPlatformError({ ok: false, error: 'ratelimited' })))).toBe('rate_limited');
    const http500 = classifySlackError('chat.postMessage', new WebAPIHTTPError(500, 'oops', {})) as DeliveryError;
    expect([http500.kind, http500.mayHaveSent]).toEqual(['transient', true]);
    expect(kind(classifySlackError('chat.postMessage', new WebAPIHTTPError(404, 'no', {})))).toBe('permanent');
    const refused = new WebAPIRequestError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
    expect((classifySlackError('chat.postMessage', refused) as DeliveryError).mayHaveSent).toBe(false);
    expect(classifySlackError('chat.postMessage', new Error('x'), true).name).toBe('SendAbandoned');
  });

  it('SMTP: 4xx transient, 5xx permanent, no reply transient', () => {
    expect(kind(classifySmtpError({ responseCode: 451, response: '451 4.7.1 later' }))).toBe('transient');
    const bounced = classifySmtpError({ responseCode: 550, response: '550 5.1.1 No such user' }) as DeliveryError;
    expect([bounced.kind, bounced.reason]).toEqual(['permanent', 'SMTP 550: 550 5.1.1 No such user']);
    expect(kind(classifySmtpError({ code: 'ECONNECTION', message: 'Connection closed' }))).toBe('transient');
  });
});
