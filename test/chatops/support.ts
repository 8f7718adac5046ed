import { Client } from 'pg';
import { signSlackRequest } from '../../src/chatops/domain/slack-signature';
import { call, startApp, TestApp } from '../support/app';
import { eventually } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';

export const SIGNING_SECRET = 'c0ffee00c0ffee00c0ffee00c0ffee00';
export const PUBLIC_URL = 'https://sitrep.example.test';
export const TEAM = 'T0ABC12DE';

/** Slack users of the tests, and the responders they are. */
export const BOB = { handle: 'bob', slackUserId: 'U0DEF456' };
export const ALICE = { handle: 'alice', slackUserId: 'U0ABC123' };
export const CARL = { handle: 'carl', slackUserId: 'U0CARL789' };
/** A Slack user no responder has. */
export const STRANGER = 'U0NOBODY01';

export function startChatApp(databaseUrl: string, stub: SlackStub, env: Record<string, string | undefined> = {}): Promise<TestApp> {
  return startApp(databaseUrl, {
    PUBLIC_URL,
    NOTIFY_RETRY_BASE_MS: '50',
    SLACK_BOT_TOKEN: stub.token,
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL: 'C0ANNOUNCE1',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_INCIDENT_CHANNELS: 'on',
    NOTIFY_MIN_SEVERITY: 'SEV2',
    ...env,
  });
}

export async function putResponders(url: string): Promise<void> {
  for (const person of [BOB, ALICE, CARL]) {
    const res = await call(url, 'PUT', `/api/v1/responders/${person.handle}`, { body: { name: person.handle, slackUserId: person.slackUserId } });
    if (res.status !== 200) throw new Error(`responder ${person.handle}: ${res.status} ${res.text}`);
  }
}

export interface SignOptions {
  /** Unix seconds; now by default. */
  timestamp?: string | null;
  signature?: string | null;
  secret?: string;
  headers?: Record<string, string>;
}

/** POSTs a body to a Slack endpoint the way Slack does: signed over the exact bytes. */
export async function slackPost(base: string, path: string, body: string, contentType: string, options: SignOptions = {}) {
  const timestamp = options.timestamp === undefined ? String(Math.floor(Date.now() / 1000)) : options.timestamp;
  const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...(options.headers ?? {}) };
  if (timestamp !== null) headers['x-slack-request-timestamp'] = timestamp;
  const signature = options.signature === undefined ? signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp ?? '', body) : options.signature;
  if (signature !== null) headers['x-slack-signature'] = signature;
  return call(base, 'POST', path, { token: null, raw: body, headers });
}

let triggers = 0;
export const newTriggerId = () => `${Date.now()}${++triggers}.701234567890.${(triggers * 7919).toString(16).padStart(32, '0')}`;

export interface SlashOptions extends SignOptions {
  user?: string;
  channel?: string;
  responsePath?: string;
  triggerId?: string;
}

/** `/incident <text>` as Slack's form body. */
export function slashBody(stub: SlackStub, text: string, options: SlashOptions = {}): string {
  return new URLSearchParams({
    token: 'TESTverificationTOKEN024',
    team_id: TEAM,
    team_domain: 'sitrep-example',
    channel_id: options.channel ?? 'C0123ABCDEF',
    channel_name: 'payments-oncall',
    user_id: options.user ?? BOB.slackUserId,
    user_name: 'bob',
    command: '/incident',
    text,
    api_app_id: 'A0SITREP01',
    is_enterprise_install: 'false',
    response_url: stub.responseUrl(options.responsePath ?? `cmd-${++triggers}`),
    trigger_id: options.triggerId ?? newTriggerId(),
  }).toString();
}

export function slash(base: string, stub: SlackStub, text: string, options: SlashOptions = {}) {
  return slackPost(base, '/api/v1/slack/commands', slashBody(stub, text, options), 'application/x-www-form-urlencoded', options);
}

/** A block_actions click shaped like the fixture (block-actions.json). */
export function clickBody(stub: SlackStub, actionId: string, value: string, options: { user?: string; responsePath?: string; triggerId?: string } = {}): string {
  const user = options.user ?? ALICE.slackUserId;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: 'alice', name: 'alice', team_id: TEAM },
    api_app_id: 'A0SITREP01',
    token: 'TESTverificationTOKEN024',
    container: { type: 'message', message_ts: '1773481325.004100', channel_id: 'C0ANNOUNCE1', is_ephemeral: false },
    trigger_id: options.triggerId ?? newTriggerId(),
    team: { id: TEAM, domain: 'sitrep-example' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C0ANNOUNCE1', name: 'incidents' },
    message: { type: 'message', ts: '1773481325.004100', text: 'incident', blocks: [] },
    state: { values: {} },
    response_url: stub.responseUrl(options.responsePath ?? `act-${++triggers}`),
    actions: [
      {
        action_id: actionId,
        block_id: 'incident-actions',
        text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
        style: 'primary',
        value,
        type: 'button',
        action_ts: '1773481442.123456',
      },
    ],
  };
  // Slack's encoding: `/` as `\/` inside the JSON, then form-encoded.
  return new URLSearchParams({ payload: JSON.stringify(payload).replace(/\//g, '\\/') }).toString();
}

export function click(base: string, stub: SlackStub, actionId: string, value: string, options: { user?: string; responsePath?: string; triggerId?: string } = {}) {
  return slackPost(base, '/api/v1/slack/interactions', clickBody(stub, actionId, value, options), 'application/x-www-form-urlencoded');
}

let events = 0;
/** An Events API `reaction_added` callback (event-reaction-added.json's shape). */
export function reactionBody(channel: string, ts: string, options: { user?: string; reaction?: string; eventId?: string } = {}): string {
  return JSON.stringify({
    token: 'TESTverificationTOKEN024',
    team_id: TEAM,
    context_team_id: TEAM,
    api_app_id: 'A0SITREP01',
    event: {
      type: 'reaction_added',
      user: options.user ?? BOB.slackUserId,
      reaction: options.reaction ?? 'pushpin',
      item: { type: 'message', channel, ts },
      item_user: 'U0HUMAN1',
      event_ts: `${Math.floor(Date.now() / 1000)}.002300`,
    },
    type: 'event_callback',
    event_id: options.eventId ?? `Ev0TEST${++events}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: 'U0SITREPBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: 'EC0ABC12DEF',
  });
}

export async function incident(base: string, id: string): Promise<any> {
  const res = await call(base, 'GET', `/api/v1/incidents/${id}`);
  if (res.status !== 200) throw new Error(`incident ${id}: ${res.status}`);
  return res.body;
}

export async function incidentByNumber(base: string, number: number): Promise<any> {
  const res = await call(base, 'GET', '/api/v1/incidents?limit=100');
  return res.body.items.find((i: any) => i.number === number);
}

export async function timeline(base: string, id: string): Promise<any[]> {
  const res = await call(base, 'GET', `/api/v1/incidents/${id}/timeline?limit=1000`);
  return res.body.items;
}

export async function declareRest(base: string, body: Record<string, unknown>): Promise<any> {
  const res = await call(base, 'POST', '/api/v1/incidents', { body: { title: 'Checkout 5xx', severity: 'SEV2', ...body } });
  if (res.status !== 201) throw new Error(`declare: ${res.status} ${res.text}`);
  return res.body;
}

/** The incident's channel, once chatops linked it. */
export function linkedChannel(base: string, id: string, timeoutMs = 15_000): Promise<{ channelId: string; channelName: string }> {
  return eventually(async () => (await incident(base, id)).chat, { timeoutMs, message: `the channel of ${id}` });
}

/** Direct reads of the chatops tables (what the service recorded). */
export class ChatDb {
  private constructor(
    private readonly client: Client,
    private readonly databaseUrl: string,
  ) {}

  static async connect(databaseUrl: string): Promise<ChatDb> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new ChatDb(client, databaseUrl);
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.client.query(`SELECT count(*)::int AS n FROM (${sql}) q`, params);
    return rows[0].n;
  }

  async jobs(incidentId: string): Promise<Array<{ kind: string; status: string; attempts: number; last_error: string | null }>> {
    const { rows } = await this.client.query(`SELECT kind, status, attempts, last_error FROM chat_jobs WHERE incident_id = $1 ORDER BY id`, [incidentId]);
    return rows;
  }

  /** Holds the incident's row lock in a transaction of its own (a stuck writer) until released. */
  async lockIncident(incidentId: string): Promise<{ release(): Promise<void> }> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE', [incidentId]);
    return {
      release: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
