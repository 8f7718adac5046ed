import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_TOKEN = 'fedcba9876543210fedcba9876543210';
export const TWILIO_FROM = '+14155550100';

const FIXTURES = join(__dirname, '../../..', 'shared', 'fixtures', 'twilio');
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { http_status: number; body: any };

/** A request Twilio's REST API received, with its decoded form fields. */
export interface TwilioRequest {
  resource: 'Messages' | 'Calls';
  fields: Record<string, string>;
  authorization: string | undefined;
  status: number;
  at: number;
}

/** A scripted answer for the next request to a number (or any number). */
export interface TwilioScript {
  to?: string;
  status: number;
  body: unknown;
}

/**
 * A local stand-in for api.twilio.com's 2010-04-01 Messages and Calls: answers 201 with the
 * fixture resources, or what was scripted (the fixtures' 400, 429, 5xx), and records every
 * request. Only requests with the test account's Basic credentials are accepted.
 */
export class TwilioStub {
  readonly requests: TwilioRequest[] = [];
  private readonly scripts: TwilioScript[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<TwilioStub> {
    const server = http.createServer();
    const stub = new TwilioStub(server);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => stub.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request (to `to`, when given) gets this answer instead of a 201. */
  script(...scripts: TwilioScript[]): void {
    this.scripts.push(...scripts);
  }

  static fixture(name: 'messages-400.json' | 'messages-429.json' | 'messages-401.json'): TwilioScript {
    const f = fixture(name);
    return { status: f.http_status, body: f.body };
  }

  /** Accepted (201) requests to a number. */
  sent(resource: 'Messages' | 'Calls', to: string): TwilioRequest[] {
    return this.requests.filter((r) => r.resource === resource && r.fields.To === to && r.status === 201);
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
    const expectedAuth = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || !match || match[1] !== TWILIO_SID)
      return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const fields = Object.fromEntries(new URLSearchParams(body).entries());
    const record = (status: number) =>
      this.requests.push({
        resource: match[2] as 'Messages' | 'Calls',
        fields,
        authorization: req.headers.authorization,
        status,
        at: Date.now(),
      });
    if (req.headers.authorization !== expectedAuth) {
      const f = fixture('messages-401.json');
      record(f.http_status);
      return reply(f.http_status, f.body);
    }
    const index = this.scripts.findIndex((s) => s.to === undefined || s.to === fields.To);
    if (index >= 0) {
      const [script] = this.scripts.splice(index, 1);
      record(script.status);
      return reply(script.status, script.body);
    }
    const created = fixture(match[2] === 'Messages' ? 'messages-create-201.json' : 'calls-create-201.json');
    record(201);
    reply(201, { ...created.body, to: fields.To, from: fields.From });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
