import * as nodemailer from 'nodemailer';
import type { AppLogger } from '../../platform/observability/logger';
import { DeliveryError, SendAbandoned } from './delivery-error';
import type { EmailMessage } from './email-message';

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** SMTP replies: 4xx is transient (greylisting, mailbox busy), 5xx permanent; no reply (network) is transient. */
export function classifySmtpError(error: unknown, abandoned = false): Error {
  if (abandoned) return new SendAbandoned();
  const e = (error ?? {}) as SmtpError;
  const reply = (e.response ?? e.message ?? 'unknown error').split(/\r?\n/)[0].slice(0, 300);
  if (typeof e.responseCode === 'number') {
    const permanent = e.responseCode >= 500;
    return new DeliveryError(permanent ? 'permanent' : 'transient', `SMTP ${e.responseCode}: ${reply}`, {
      // A reply to DATA's end means the server answered about the whole message.
      mayHaveSent: false,
      cause: error,
    });
  }
  return new DeliveryError('transient', `SMTP ${e.code ?? 'error'}: ${reply}`, { mayHaveSent: true, cause: error });
}

/**
 * Mail through nodemailer. One SMTP connection per message (no pool), with timeouts; a
 * Message-ID derived from the job so that a resend after a crash carries the same id.
 */
export class EmailClient {
  private readonly transporter?: nodemailer.Transporter;
  private closed = false;

  constructor(
    private readonly settings: { smtpUrl?: string; from?: string },
    timeoutMs: number,
    private readonly logger: AppLogger,
  ) {
    if (!settings.smtpUrl) return;
    this.transporter = nodemailer.createTransport({
      url: settings.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
    });
  }

  get enabled(): boolean {
    return this.transporter !== undefined;
  }

  get from(): string {
    return this.settings.from ?? 'Sitrep <sitrep@localhost>';
  }

  async send(to: string, message: Pick<EmailMessage, 'subject' | 'text'> & { html?: string }, messageId: string): Promise<void> {
    if (!this.transporter) throw new DeliveryError('permanent', 'Email is not configured (SMTP_URL unset)');
    try {
      await this.transporter.sendMail({
        from: this.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Sitrep-Notification': messageId },
      });
    } catch (error) {
      this.logger.debug({ err: error, to }, 'SMTP send failed');
      throw classifySmtpError(error, this.closed);
    }
  }

  /** Closes the transport; a send in flight fails with SendAbandoned. */
  abort(): void {
    this.closed = true;
    this.transporter?.close();
  }
}
