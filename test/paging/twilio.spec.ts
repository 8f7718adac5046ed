import { createHmac } from 'node:crypto';
import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { createPolicy, declare, entry, ok, putResponder, startPagingApp, timeline, PUBLIC_URL } from './support';
import { TWILIO_SID, TWILIO_TOKEN, TwilioStub } from './twilio-stub';

/** Twilio's signature, computed here independently of the service's code. */
function sign(url: string, params: Record<string, string>): string {
  const text =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha1', TWILIO_TOKEN).update(text).digest('base64');
}

describe('paging through Twilio: SMS retries, permanent failures, the voice callback', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let twilio: TwilioStub;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    databaseUrl = await createTestDatabase('paging_twilio');
    instance = await startPagingApp(databaseUrl, twilio);
    await putResponder(instance.url, 'gus', {
      phone: '+14155550111',
      notificationRules: [{ after: 'PT0S', method: 'sms' }],
    });
    await putResponder(instance.url, 'hana', {
      phone: '+1415555011',
      notificationRules: [{ after: 'PT0S', method: 'sms' }],
    });
    await putResponder(instance.url, 'ivy', {
      phone: '+14155550123',
      notificationRules: [{ after: 'PT0S', method: 'voice' }],
    });
  });
  afterAll(async () => {
    await instance?.close();
    await twilio?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('retries a Twilio 5xx and 429 until the SMS goes out (page.sent once), and records a 4xx as page.failed with its reason', async () => {
    twilio.script(
      { to: '+14155550111', status: 503, body: { code: 20503, message: 'Service Unavailable', status: 503 } },
      { ...TwilioStub.fixture('messages-429.json'), to: '+14155550111' },
      { ...TwilioStub.fixture('messages-400.json'), to: '+1415555011' },
    );
    const policy = await createPolicy(instance.url, {
      name: 'SMS',
      steps: [
        {
          delay: 'PT10M',
          targets: [
            { type: 'responder', handle: 'gus' },
            { type: 'responder', handle: 'hana' },
          ],
        },
      ],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/sms', { escalationPolicyId: policy.id });
    const incident = await declare(instance.url, { service: 'sms' });

    const sent = await entry(instance.url, incident.id, (e) => e.type === 'page.sent' && e.data.responder === 'gus');
    expect(sent.data).toEqual({ responder: 'gus', method: 'sms' });
    expect(twilio.requests.filter((r) => r.fields.To === '+14155550111').map((r) => r.status)).toEqual([503, 429, 201]);
    const failed = await entry(
      instance.url,
      incident.id,
      (e) => e.type === 'page.failed' && e.data.responder === 'hana',
    );
    expect(failed.data).toMatchObject({ responder: 'hana', method: 'sms' });
    expect(failed.data.reason).toContain('21211');
    expect(twilio.requests.filter((r) => r.fields.To === '+1415555011')).toHaveLength(1);
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'page.sent')).toHaveLength(1);
  });

  it('acknowledges from the call only with a valid X-Twilio-Signature and Digits=1', async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Voice',
      steps: [{ delay: 'PT10M', targets: [{ type: 'responder', handle: 'ivy' }] }],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/voice', { escalationPolicyId: policy.id });
    const incident = await declare(instance.url, { service: 'voice', title: 'Checkout 5xx' });
    const callRequest = await eventually(() => twilio.sent('Calls', '+14155550123')[0]);
    const twiml = callRequest.fields.Twiml;
    expect(twiml).toMatch(
      /^<Response><Gather numDigits="1" action="[^"]+" method="POST"><Say>Sitrep page\. Severity one incident \d+, service voice\. Checkout 5xx\. Press 1 to acknowledge\.<\/Say><\/Gather>/,
    );
    expect(twiml).not.toContain('/ack/');
    const action = /action="([^"]+)"/.exec(twiml)![1].replace(/&amp;/g, '&');
    expect(action.startsWith(`${PUBLIC_URL}/api/v1/twilio/voice/`)).toBe(true);
    const path = action.slice(PUBLIC_URL.length);
    const params: Record<string, string> = {
      AccountSid: TWILIO_SID,
      CallSid: 'CAb1c2d3e4f5a60718293a4b5c6d7e8f91',
      CallStatus: 'in-progress',
      Called: '+14155550123',
      Digits: '1',
      Direction: 'outbound-api',
      From: '+14155550100',
      To: '+14155550123',
      msg: 'Gather End',
    };
    const form = new URLSearchParams(params).toString();
    const post = (signature: string | undefined, body = form) =>
      call(instance.url, 'POST', path, {
        token: null,
        raw: body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
        },
      });

    // Tampered digits, a signature over another URL, none at all: 401 and nothing changes.
    expect((await post(sign(action, params), new URLSearchParams({ ...params, Digits: '2' }).toString())).status).toBe(
      401,
    );
    expect((await post(sign(`http://127.0.0.1${path}`, params))).status).toBe(401);
    const none = await post(undefined);
    expect(none.status).toBe(401);
    expect(none.body.message).toContain('X-Twilio-Signature');
    expect((await ok(instance.url, 'GET', `/api/v1/incidents/${incident.id}`)).status).toBe('triggered');

    const good = await post(sign(action, params));
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toContain('text/xml');
    expect(good.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Acknowledged. Incident ${incident.number} is yours.</Say><Hangup/></Response>`,
    );
    const acknowledged = await entry(instance.url, incident.id, (e) => e.type === 'incident.acknowledged');
    expect(acknowledged.actor).toBe('ivy');
    // Twilio retrying the same callback changes nothing.
    expect((await post(sign(action, params))).text).toContain('Nothing changed');
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'incident.acknowledged')).toHaveLength(
      1,
    );
  });
});
