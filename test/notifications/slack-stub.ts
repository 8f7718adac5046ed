import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the stub answered (or is holding). */
export interface SlackCall {
  method: string;
  args: Record<string, any>;
  at: number;
  status: number;
  body: any;
}

/** A message as Slack would keep it. */
export interface StubMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: any[];
  metadata?: { event_type?: string; event_payload?: Record<string, any> };
  postedAt: number;
  updates: Array<{ text: string; blocks: any[]; at: number }>;
  /** Who wrote it (messages added with addMessage). */
  user?: string;
}

/** A scripted answer for the next call of a method. */
export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: any;
  /** Keep the request open until `releaseHeld()` or close (a slow Slack, or a sender that dies). */
  hold?: boolean;
  /** With hold: Slack did post the message (only the answer is lost). */
  record?: boolean;
  /** Only for calls to this channel (name or id); others pass it by. */
  channel?: string;
  /** With hold: answer normally (and apply the call) on release: a slow Slack, not a lost answer. */
  slow?: boolean;
}

/** A channel made through conversations.create. */
export interface StubChannel {
  id: string;
  name: string;
  creator: string;
  members: string[];
}

/** A POST to a command's or click's response_url. */
export interface StubResponse {
  path: string;
  body: any;
  at: number;
}

export interface RateLimit {
  /** Tokens per second per channel (chat.postMessage). */
  perSecond: number;
  burst: number;
}

/**
 * A local HTTP server speaking the Slack Web API shapes Sitrep uses: chat.postMessage,
 * chat.update, conversations.open, conversations.history (oldest/latest/inclusive/limit) and
 * conversations.replies; for incident channels conversations.create (name rules, name_taken),
 * conversations.invite (already_in_channel), conversations.list, chat.postEphemeral and auth.test; with
 * form-encoded or JSON bodies and a bearer token. Channel names map to stable ids. It also
 * takes POSTs to response URLs (`responseUrl(path)`), which need no token.
 */
export class SlackStub {
  readonly calls: SlackCall[] = [];
  readonly messages: StubMessage[] = [];
  /** Calls refused with 429 by the token bucket. */
  readonly rejected: Array<{ channel: string; at: number }> = [];
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly held: Array<() => void> = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly channels: StubChannel[] = [];
  readonly responses: StubResponse[] = [];
  /** Hold every response_url post until releaseHeld() (a slow Slack). */
  holdResponses = false;
  private seq = 0;
  url = '';
  /** The bot user the token belongs to (auth.test, channel creator). */
  readonly botUserId = 'U0SITREPBOT';

  private constructor(
    private readonly server: http.Server,
    readonly token: string,
    private readonly rateLimit?: RateLimit,
  ) {}

  static async start(options: { token?: string; rateLimit?: RateLimit } = {}): Promise<SlackStub> {
    const server = http.createServer();
    const stub = new SlackStub(server, options.token ?? 'xoxb-test', options.rateLimit);
    server.on('request', (req, res) => void stub.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    return stub;
  }

  /** Answers the next calls of `method` with these, in order; later calls behave normally. */
  script(method: string, ...answers: Scripted[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...answers]);
  }

  get heldCount(): number {
    return this.held.length;
  }

  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The id a channel name maps to (ids map to themselves). */
  static channelId(channel: string): string {
    if (/^[CGD][A-Z0-9]+$/.test(channel)) return channel;
    return `C${createHash('sha1').update(channel.replace(/^#/, '')).digest('hex').toUpperCase().slice(0, 10)}`;
  }

  roots(channel: string): StubMessage[] {
    const id = SlackStub.channelId(channel);
    return this.messages.filter((m) => m.channel === id && !m.threadTs);
  }

  replies(rootTs: string): StubMessage[] {
    return this.messages.filter((m) => m.threadTs === rootTs);
  }

  ofIncident(incidentId: string): StubMessage[] {
    return this.messages.filter((m) => m.metadata?.event_payload?.incident === incidentId);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A response_url on this stub: POSTs to it land in `responses` (under `path`). */
  responseUrl(path: string): string {
    return `${this.url.replace(/\/api\/$/, '')}/response/${path}`;
  }

  responsesTo(path: string): StubResponse[] {
    return this.responses.filter((r) => r.path === path);
  }

  /** A message a person wrote in a channel (to react to); answers its ts. */
  addMessage(channel: string, text: string, user = 'U0HUMAN1', threadTs?: string): string {
    const message: StubMessage = {
      channel: SlackStub.channelId(channel),
      ts: this.nextTs(),
      threadTs,
      text,
      blocks: [],
      postedAt: Date.now(),
      updates: [],
      user,
    };
    this.messages.push(message);
    return message.ts;
  }

  /** A channel that exists already (a name collision). */
  addChannel(name: string, creator = 'U0SOMEONE'): StubChannel {
    const channel: StubChannel = { id: SlackStub.channelId(name), name, creator, members: [] };
    this.channels.push(channel);
    return channel;
  }

  channelNamed(name: string): StubChannel | undefined {
    return this.channels.find((c) => c.name === name);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if ((req.url ?? '').startsWith('/response/')) return this.respond(req, res, raw);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const args = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const call: SlackCall = { method, args, at: Date.now(), status: 0, body: undefined };
    this.calls.push(call);
    const answer = (status: number, body: any, headers: Record<string, string> = {}) => {
      call.status = status;
      call.body = body;
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return answer(200, { ok: false, error: 'not_authed' });

    const scripted = this.takeScript(method, args);
    if (scripted?.hold && scripted.slow) {
      call.status = -1;
      this.held.push(() => answer(200, this.apply(method, args)));
      return;
    }
    if (scripted?.hold) {
      if (scripted.record) this.apply(method, args);
      call.status = -1;
      this.held.push(() => answer(200, { ok: false, error: 'internal_error' }));
      return;
    }
    if (scripted) return answer(scripted.status ?? 200, scripted.body ?? { ok: true }, scripted.headers);

    if (method === 'chat.postMessage' && this.rateLimit) {
      const channel = SlackStub.channelId(String(args.channel));
      const wait = this.take(channel);
      if (wait > 0) {
        this.rejected.push({ channel, at: Date.now() });
        return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
      }
    }
    const result = this.apply(method, args);
    return answer(200, result);
  }

  /** A response_url post: JSON, no token (the URL is the credential). */
  private respond(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const path = (req.url ?? '').replace(/^\/response\//, '');
    const finish = () => {
      let body: any = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // recorded as text
      }
      this.responses.push({ path, body, at: Date.now() });
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('ok');
    };
    if (this.holdResponses) this.held.push(finish);
    else finish();
  }

  private takeScript(method: string, args: Record<string, any>): Scripted | undefined {
    const queue = this.scripts.get(method) ?? [];
    const index = queue.findIndex((s) => !s.channel || SlackStub.channelId(s.channel) === SlackStub.channelId(String(args.channel ?? '')));
    return index === -1 ? undefined : queue.splice(index, 1)[0];
  }

  /** Token bucket per channel: ms until a token is available (0 = taken now). */
  private take(channel: string): number {
    const { perSecond, burst } = this.rateLimit!;
    const now = Date.now();
    const bucket = this.buckets.get(channel) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / perSecond) * 1000;
  }

  private nextTs(): string {
    this.seq++;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  private apply(method: string, args: Record<string, any>): any {
    switch (method) {
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const channel = SlackStub.channelId(String(args.channel));
        const message: StubMessage = {
          channel,
          ts: this.nextTs(),
          threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
          text: String(args.text ?? ''),
          blocks: Array.isArray(args.blocks) ? args.blocks : [],
          metadata: args.metadata,
          postedAt: Date.now(),
          updates: [],
        };
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts, message: { type: 'message', text: message.text, ts: message.ts } };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.updates.push({ text: String(args.text ?? ''), blocks: Array.isArray(args.blocks) ? args.blocks : [], at: Date.now() });
        message.text = String(args.text ?? message.text);
        message.blocks = Array.isArray(args.blocks) ? args.blocks : message.blocks;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.open':
        if (!args.users) return { ok: false, error: 'users_not_found' };
        return { ok: true, channel: { id: `D${String(args.users).replace(/^[UW]/, '')}` } };
      case 'conversations.history': {
        const oldest = Number(args.oldest ?? 0);
        const latest = args.latest !== undefined ? Number(args.latest) : Infinity;
        const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === 1 || args.inclusive === '1';
        const channel = SlackStub.channelId(String(args.channel));
        let messages = this.messages
          .filter((m) => m.channel === channel && !m.threadTs && Number(m.ts) >= oldest)
          .filter((m) => (inclusive ? Number(m.ts) <= latest : Number(m.ts) < latest))
          .map((m) => ({ type: 'message', ts: m.ts, text: m.text, user: m.user, metadata: args.include_all_metadata ? m.metadata : undefined }))
          .reverse();
        if (args.limit !== undefined) messages = messages.slice(0, Number(args.limit));
        return { ok: true, messages, has_more: false };
      }
      case 'conversations.replies': {
        // Slack takes the ts of the parent or of any reply in the thread.
        const named = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        const parent = named?.threadTs ? this.messages.find((m) => m.channel === args.channel && m.ts === named.threadTs) : named;
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const messages = [parent, ...this.replies(parent.ts)].map((m) => ({
          type: 'message',
          ts: m.ts,
          thread_ts: parent.ts,
          text: m.text,
          metadata: args.include_all_metadata ? m.metadata : undefined,
        }));
        return { ok: true, messages, has_more: false };
      }
      case 'chat.postEphemeral': {
        const channel = this.channels.find((c) => c.id === args.channel);
        if (channel && !channel.members.includes(String(args.user))) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'auth.test':
        return { ok: true, url: 'https://sitrep-example.slack.com/', team: 'Sitrep Example', user: 'sitrep', team_id: 'T0ABC12DE', user_id: this.botUserId, bot_id: 'B0456GHIJKL' };
      case 'conversations.create': {
        const name = String(args.name ?? '');
        if (!name) return { ok: false, error: 'invalid_name_required' };
        if (name.length > 80) return { ok: false, error: 'invalid_name_maxlength' };
        if (!/^[a-z0-9_-]+$/.test(name)) return { ok: false, error: 'invalid_name_specials' };
        if (this.channelNamed(name)) return { ok: false, error: 'name_taken' };
        const channel: StubChannel = { id: SlackStub.channelId(name), name, creator: this.botUserId, members: [this.botUserId] };
        this.channels.push(channel);
        return { ok: true, channel: { id: channel.id, name, is_channel: true, is_private: false, creator: channel.creator, is_member: true } };
      }
      case 'conversations.invite': {
        const channel = this.channels.find((c) => c.id === args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const users = String(args.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
        if (users.length === 0) return { ok: false, error: 'no_user' };
        const already = users.filter((u) => channel.members.includes(u));
        for (const user of users) if (!channel.members.includes(user)) channel.members.push(user);
        if (already.length === users.length) {
          return { ok: false, error: 'already_in_channel', errors: already.map((user) => ({ user, ok: false, error: 'already_in_channel' })) };
        }
        return { ok: true, channel: { id: channel.id, name: channel.name } };
      }
      case 'conversations.list': {
        const channels = this.channels.map((c) => ({ id: c.id, name: c.name, creator: c.creator, is_channel: true, is_archived: false }));
        return { ok: true, channels, response_metadata: { next_cursor: '' } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** Form-encoded (what @slack/web-api sends, objects JSON-encoded) or JSON bodies. */
function parseBody(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return raw ? JSON.parse(raw) : {};
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // a plain string after all
      }
    }
    args[key] = value === 'true' ? true : value === 'false' ? false : value;
  }
  return args;
}
