import type { Channel, Delivery } from './channel';
import type { EmailClient } from './email.client';

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** Email: `to` is one address; the Message-ID derives from the job, so a resend carries the same one. */
export class EmailChannel implements Channel {
  readonly name = 'email';
  readonly disabledReason = 'Email is not configured (SMTP_URL unset)';

  constructor(private readonly email: EmailClient) {}

  get enabled(): boolean {
    return this.email.enabled;
  }

  checkAddress(to: string): string | undefined {
    return ADDRESS.test(to) ? undefined : 'must be one email address';
  }

  gate(to: string): string {
    return `email:${to.toLowerCase()}`;
  }

  async send({ to, message, uid }: Delivery): Promise<void> {
    await this.email.send(to, { subject: message.subject.replace(/[\r\n]+/g, ' '), text: message.text, html: message.html }, `<${uid}@sitrep.notifications>`);
  }

  abort(): void {
    this.email.abort();
  }
}
