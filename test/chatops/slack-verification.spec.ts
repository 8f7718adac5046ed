import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import { ChatDb, putResponders, SIGNING_SECRET, slackPost, slash, slashBody, startChatApp } from './support';

const FIXTURES = join(__dirname, '../../..', 'shared', 'fixtures', 'slack-inbound');

describe('Slack request verification (real HTTP)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let db: ChatDb;

  const incidents = async () => (await call(instance.url, 'GET', '/api/v1/incidents?limit=100')).body.items.length;
  const requests = () => db.count('SELECT 1 FROM slack_requests');

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_verify');
    instance = await startChatApp(databaseUrl, stub);
    db = await ChatDb.connect(databaseUrl);
    await putResponders(instance.url);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it.each([
    ['a missing signature', { signature: null }, 'SLACK_SIGNATURE_MALFORMED'],
    ['a missing timestamp', { timestamp: null }, 'SLACK_SIGNATURE_MALFORMED'],
    ['a signature made with another secret', { secret: 'not-the-secret' }, 'SLACK_SIGNATURE_INVALID'],
    ['a v1 signature', { signature: `v1=${'0'.repeat(64)}` }, 'SLACK_SIGNATURE_MALFORMED'],
    ['a timestamp 6 minutes old', { timestamp: String(Math.floor(Date.now() / 1000) - 360) }, 'SLACK_SIGNATURE_STALE'],
    ['a timestamp 6 minutes ahead', { timestamp: String(Math.floor(Date.now() / 1000) + 360) }, 'SLACK_SIGNATURE_STALE'],
  ] as const)('refuses a command with %s: 401 and nothing changes', async (_name, options, code) => {
    const before = await incidents();
    const res = await slash(instance.url, stub, 'declare SEV1 Should never exist', options as never);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code });
    expect(await incidents()).toBe(before);
    expect(await requests()).toBe(0);
  });

  it('verifies the bytes as sent: a body re-encoded after signing is refused', async () => {
    const body = slashBody(stub, 'declare SEV1 Re-encoded');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { signSlackRequest } = await import('../../src/chatops/domain/slack-signature');
    const signature = signSlackRequest(SIGNING_SECRET, timestamp, body);
    const res = await slackPost(instance.url, '/api/v1/slack/commands', body.replace(/\+/g, '%20'), 'application/x-www-form-urlencoded', { timestamp, signature });
    expect(res.status).toBe(401);
    expect(await incidents()).toBe(0);
  });

  it('refuses unsigned and badly signed interactions and events the same way', async () => {
    const payload = readFileSync(join(FIXTURES, 'block-actions.txt'), 'utf8');
    expect((await slackPost(instance.url, '/api/v1/slack/interactions', payload, 'application/x-www-form-urlencoded', { signature: null })).status).toBe(401);
    const event = readFileSync(join(FIXTURES, 'event-reaction-added.json'), 'utf8');
    expect((await slackPost(instance.url, '/api/v1/slack/events', event, 'application/json', { secret: 'wrong' })).status).toBe(401);
    // The fixtures' own signatures are five minutes stale by now.
    const signatures = JSON.parse(readFileSync(join(FIXTURES, 'signatures.json'), 'utf8'));
    const headers = signatures.fixtures['event-reaction-added.json'].headers;
    const res = await call(instance.url, 'POST', '/api/v1/slack/events', {
      token: null,
      raw: event,
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': headers['X-Slack-Request-Timestamp'], 'x-slack-signature': headers['X-Slack-Signature'] },
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('SLACK_SIGNATURE_STALE');
    expect(await requests()).toBe(0);
  });

  it('answers url_verification with its challenge, signed, without a bearer token', async () => {
    const body = readFileSync(join(FIXTURES, 'event-url-verification.json'), 'utf8');
    const res = await slackPost(instance.url, '/api/v1/slack/events', body, 'application/json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: 'FaKeChAlLeNgE0123456789abcdefghijklmnopqrstuvwxyzAB' });
  });

  it('counts what it refused and accepted on /metrics', async () => {
    await slackPost(instance.url, '/api/v1/slack/commands', 'text=help&user_id=U0DEF456', 'application/x-www-form-urlencoded');
    const metrics = (await call(instance.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/sitrep_slack_requests_total\{endpoint="commands",outcome="rejected_malformed"\} [1-9]/);
    expect(metrics).toMatch(/sitrep_slack_requests_total\{endpoint="commands",outcome="rejected_stale"\} [1-9]/);
    expect(metrics).toMatch(/sitrep_slack_requests_total\{endpoint="commands",outcome="accepted"\} [1-9]/);
  });

  it("answers Slack's unsigned ssl_check probe with an empty 200 and does nothing", async () => {
    const body = readFileSync(join(FIXTURES, 'slash-command-ssl-check.txt'), 'utf8');
    const res = await call(instance.url, 'POST', '/api/v1/slack/commands', { token: null, raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await requests()).toBe(0);
  });
});

describe('Slack endpoints without SLACK_SIGNING_SECRET', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_nosecret');
    instance = await startChatApp(databaseUrl, stub, { SLACK_SIGNING_SECRET: undefined });
  });
  afterAll(async () => {
    await instance?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it.each(['commands', 'interactions', 'events'])('/api/v1/slack/%s answers 503 with Retry-After', async (path) => {
    const res = await slackPost(instance.url, `/api/v1/slack/${path}`, path === 'events' ? '{"type":"url_verification","challenge":"x"}' : 'text=help', path === 'events' ? 'application/json' : 'application/x-www-form-urlencoded');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SLACK_NOT_CONFIGURED');
    expect(res.headers.get('retry-after')).toBeTruthy();
  });
});
