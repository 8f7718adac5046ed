import { DeliveryError } from '../../notifications';
import { pageMessage } from '../page-messages';
import { SmsChannel, VoiceChannel } from './twilio.channels';
import type { TwilioClient, TwilioResource } from './twilio.client';

const PUBLIC_URL = 'https://sitrep.example.com';
const TOKEN = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

function fakeTwilio(): {
  client: TwilioClient;
  calls: Array<{ resource: TwilioResource; fields: Record<string, string> }>;
} {
  const calls: Array<{ resource: TwilioResource; fields: Record<string, string> }> = [];
  const client = {
    enabled: true,
    disabledReason: '',
    from: '+14155550100',
    create: async (resource: TwilioResource, fields: Record<string, string>) => {
      calls.push({ resource, fields });
      return { sid: 'SM0' };
    },
    abort: () => undefined,
  } as unknown as TwilioClient;
  return { client, calls };
}

const facts = {
  incident: {
    id: '0b6f2a7e-9a53-4a8e-9d0e-3f1c2b4a5d6e',
    number: 1042,
    title: 'Payments <RDS> & "replica"',
    severity: 'SEV1',
    service: 'payments',
  },
  position: { step: 1, round: 1 },
  policyName: 'Payments',
  publicUrl: PUBLIC_URL,
};
const delivery = (message: ReturnType<typeof pageMessage>) => ({
  uid: 'u1',
  to: '+14155550123',
  message,
  uncertain: false,
  createdAt: new Date('2026-03-14T03:21:00Z'),
});

describe('Twilio channels', () => {
  it('a call says the incident, gathers one digit for the token, reads no URL aloud and escapes the text', async () => {
    const { client, calls } = fakeTwilio();
    await new VoiceChannel(client, PUBLIC_URL).send(
      delivery(pageMessage('voice', facts, `${PUBLIC_URL}/ack/${TOKEN}`)),
    );
    expect(calls).toEqual([
      {
        resource: 'Calls',
        fields: {
          To: '+14155550123',
          From: '+14155550100',
          Twiml:
            `<Response><Gather numDigits="1" action="${PUBLIC_URL}/api/v1/twilio/voice/${TOKEN}" method="POST">` +
            '<Say>Sitrep page. Severity one incident 1042, service payments. Payments &lt;RDS&gt; &amp; &quot;replica&quot;. Press 1 to acknowledge.</Say>' +
            '</Gather><Say>No input received. Goodbye.</Say></Response>',
        },
      },
    ]);
  });

  it('a call without an acknowledge link is a permanent failure, not a call', async () => {
    const { client, calls } = fakeTwilio();
    const message = { subject: 'x', text: 'no link here' };
    await expect(new VoiceChannel(client, PUBLIC_URL).send(delivery(message))).rejects.toBeInstanceOf(DeliveryError);
    expect(calls).toHaveLength(0);
  });

  it('an SMS carries the subject, the title and the acknowledge link', async () => {
    const { client, calls } = fakeTwilio();
    await new SmsChannel(client).send(delivery(pageMessage('sms', facts, `${PUBLIC_URL}/ack/${TOKEN}`)));
    expect(calls[0].fields.Body).toBe(
      `Sitrep SEV1 #1042\nPayments <RDS> & "replica" (payments)\nAcknowledge: ${PUBLIC_URL}/ack/${TOKEN}`,
    );
  });

  it.each([
    ['+14155550123', undefined],
    ['14155550123', 'must be an E.164 phone number'],
    ['+0123456789', 'must be an E.164 phone number'],
  ])('address %p → %p', (to, problem) => expect(new SmsChannel(fakeTwilio().client).checkAddress(to)).toBe(problem));
});
