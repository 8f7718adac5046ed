import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  at: number;
}

/** A real SMTP server in process (smtp-server) that parses what it accepts (mailparser). */
export class MailSink {
  readonly received: ReceivedMail[] = [];
  /** RCPT TO attempts, accepted or not. */
  readonly attempts: Array<{ to: string; code: number; at: number }> = [];
  private readonly scripts: Array<{ code: number; message: string }> = [];
  url = '';

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<MailSink> {
    const box: { sink?: MailSink } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const next = box.sink!.scripts.shift();
        box.sink!.attempts.push({ to: address.address, code: next?.code ?? 250, at: Date.now() });
        if (next) {
          const error = new Error(next.message) as Error & { responseCode: number };
          error.responseCode = next.code;
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
            box.sink!.received.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              to,
              from: mail.from?.text ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              at: Date.now(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    const sink = new MailSink(server);
    box.sink = sink;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return sink;
  }

  /** The next RCPT TO commands get these replies (e.g. 451, then 550), in order. */
  script(...replies: Array<{ code: number; message: string }>): void {
    this.scripts.push(...replies);
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelopeTo.includes(address));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
