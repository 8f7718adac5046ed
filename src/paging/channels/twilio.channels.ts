import type { Channel, Delivery } from '../../notifications';
import { DeliveryError } from '../../notifications';
import type { TwilioClient } from './twilio.client';

const E164 = /^\+[1-9]\d{6,14}$/;
const SMS_MAX = 1600;
const TWIML_MAX = 4000;

abstract class TwilioChannel implements Channel {
  abstract readonly name: string;

  constructor(protected readonly twilio: TwilioClient) {}

  get enabled(): boolean {
    return this.twilio.enabled;
  }

  get disabledReason(): string {
    return this.twilio.disabledReason;
  }

  checkAddress(to: string): string | undefined {
    return typeof to === 'string' && E164.test(to) ? undefined : 'must be an E.164 phone number';
  }

  /** Twilio limits concurrency per account: one gate for all of its sends. */
  gate(): string {
    return 'twilio';
  }

  abstract send(delivery: Delivery): Promise<void>;

  abort(): void {
    this.twilio.abort();
  }
}

/** SMS pages: the subject as a prefix, then the text (with its acknowledge link). */
export class SmsChannel extends TwilioChannel {
  readonly name = 'sms';

  async send(delivery: Delivery): Promise<void> {
    const body = `${delivery.message.subject}\n${delivery.message.text}`;
    await this.twilio.create('Messages', { To: delivery.to, From: this.twilio.from, Body: cut(body, SMS_MAX) });
  }
}

/**
 * Voice pages: Twilio reads the text aloud and gathers one digit; the digit is posted to
 * `/api/v1/twilio/voice/<token>`, the token of the acknowledge link the message carries (a
 * page message always has one: its URL is never read aloud).
 */
export class VoiceChannel extends TwilioChannel {
  readonly name = 'voice';

  constructor(
    twilio: TwilioClient,
    private readonly publicUrl: string,
  ) {
    super(twilio);
  }

  async send(delivery: Delivery): Promise<void> {
    const link = new RegExp(`${escapeRegExp(this.publicUrl)}/ack/([A-Za-z0-9_-]{22,100})`).exec(delivery.message.text);
    if (!link) throw new DeliveryError('permanent', 'a voice page needs an acknowledge link in its message');
    const spoken = delivery.message.text
      .replace(/https?:\/\/\S+/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const action = `${this.publicUrl}/api/v1/twilio/voice/${link[1]}`;
    const twiml =
      `<Response><Gather numDigits="1" action="${xml(action)}" method="POST"><Say>${xml(cut(spoken, 1500))}</Say></Gather>` +
      `<Say>No input received. Goodbye.</Say></Response>`;
    if (twiml.length > TWIML_MAX) throw new DeliveryError('permanent', 'the call script is longer than Twilio accepts');
    await this.twilio.create('Calls', { To: delivery.to, From: this.twilio.from, Twiml: twiml });
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
