import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import {
  ALICE,
  BOB,
  ChatDb,
  declareRest,
  incident,
  incidentByNumber,
  linkedChannel,
  putResponders,
  reactionBody,
  slackPost,
  slash,
  startChatApp,
  STRANGER,
  timeline,
} from './support';

describe('Incident channels, invites and pins (SLACK_INCIDENT_CHANNELS=on, Slack stub)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let db: ChatDb;

  const react = (body: string, headers: Record<string, string> = {}) => slackPost(instance.url, '/api/v1/slack/events', body, 'application/json', { headers });
  const pins = async (id: string) => (await timeline(instance.url, id)).filter((e) => e.type === 'note.added' && e.data.pinned);
  const settled = (id: string) =>
    eventually(
      async () => {
        const jobs = await db.jobs(id);
        return jobs.every((j) => j.status !== 'pending') && jobs;
      },
      { message: `the chat jobs of ${id} to settle` },
    );

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_channels');
    instance = await startChatApp(databaseUrl, stub);
    db = await ChatDb.connect(databaseUrl);
    await putResponders(instance.url);
    await call(instance.url, 'PUT', '/api/v1/responders/dana', { body: { name: 'Dana (no Slack)' } });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('creates the channel on declaration, invites the commander and deputy with a Slack id, and again whenever they change', async () => {
    const declared = await declareRest(instance.url, { title: 'Payments: RDS replica lag!', severity: 'SEV1', commander: BOB.handle });
    const chat = await linkedChannel(instance.url, declared.id);
    expect(chat.channelName).toBe(`inc-${declared.number}-payments-rds-replica-lag`);
    const channel = stub.channelNamed(chat.channelName)!;
    await eventually(() => channel.members.includes(BOB.slackUserId), { message: 'bob invited' });

    await call(instance.url, 'PUT', `/api/v1/incidents/${declared.id}/roles/deputy`, { body: { assignee: ALICE.handle } });
    await eventually(() => channel.members.includes(ALICE.slackUserId), { message: 'alice invited' });
    await call(instance.url, 'PUT', `/api/v1/incidents/${declared.id}/roles/scribe`, { body: { assignee: 'carl' } });
    await call(instance.url, 'PUT', `/api/v1/incidents/${declared.id}/roles/commander`, { body: { assignee: 'dana' } });
    // Removing the commander hands command to the deputy: alice is invited again (already there: fine).
    await call(instance.url, 'DELETE', `/api/v1/incidents/${declared.id}/roles/commander`);
    const jobs = await eventually(async () => {
      const all = await settled(declared.id);
      return all.length === 6 && all;
    }, { message: 'six chat jobs' });
    // The declarer (the admin token, no responder: nothing to do), bob, alice, dana (not on Slack), alice again.
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([
      ['create_channel', 'done'],
      ['invite', 'done'],
      ['invite', 'done'],
      ['invite', 'done'],
      ['invite', 'done'],
      ['invite', 'done'],
    ]);
    expect(channel.members).toEqual(['U0SITREPBOT', BOB.slackUserId, ALICE.slackUserId]);
    expect(stub.callsOf('conversations.create').filter((c) => c.args.name === chat.channelName)).toHaveLength(1);
    expect(stub.callsOf('conversations.invite').every((c) => c.args.channel === chat.channelId)).toBe(true);
  });

  it('adds a suffix when the name is taken', async () => {
    const probe = await declareRest(instance.url, { title: 'probe', severity: 'SEV4' });
    const next = probe.number + 1;
    stub.addChannel(`inc-${next}-disk-full`);
    stub.addChannel(`inc-${next}-disk-full-2`);
    const declared = await declareRest(instance.url, { title: 'Disk full', severity: 'SEV2' });
    expect(declared.number).toBe(next);
    expect((await linkedChannel(instance.url, declared.id)).channelName).toBe(`inc-${next}-disk-full-3`);
    expect(await incident(instance.url, probe.id)).toMatchObject({ chat: null });
  });

  it('waits out a 429 (Retry-After) and creates the channel once', async () => {
    stub.script('conversations.create', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const declared = await declareRest(instance.url, { title: 'Rate limited', severity: 'SEV1' });
    const chat = await linkedChannel(instance.url, declared.id);
    const creates = stub.callsOf('conversations.create').filter((c) => String(c.args.name).startsWith(`inc-${declared.number}-`));
    expect(creates.map((c) => c.status)).toEqual([429, 200]);
    expect(chat.channelName).toBe(`inc-${declared.number}-rate-limited`);
    const [job] = await settled(declared.id);
    expect(job).toMatchObject({ kind: 'create_channel', status: 'done', attempts: 1 });
  });

  it('adopts the channel a create made when its answer was lost, instead of making a second one', async () => {
    stub.script('conversations.create', { hold: true, record: true });
    const declared = await declareRest(instance.url, { title: 'Lost answer', severity: 'SEV1' });
    await eventually(() => stub.heldCount > 0, { message: 'the create to be in flight' });
    stub.releaseHeld(); // Slack made the channel, but answers internal_error
    const chat = await linkedChannel(instance.url, declared.id);
    expect(chat.channelName).toBe(`inc-${declared.number}-lost-answer`);
    expect(stub.channels.filter((c) => c.name.startsWith(`inc-${declared.number}-`))).toHaveLength(1);
    expect(stub.callsOf('conversations.list').length).toBeGreaterThan(0);
  });

  it('makes a channel when a quieter incident is raised to the threshold', async () => {
    const declared = await declareRest(instance.url, { title: 'Slow reports', severity: 'SEV3', commander: BOB.handle });
    await call(instance.url, 'PATCH', `/api/v1/incidents/${declared.id}`, { body: { severity: 'SEV2' } });
    const chat = await linkedChannel(instance.url, declared.id);
    await eventually(() => stub.channelNamed(chat.channelName)?.members.includes(BOB.slackUserId), { message: 'bob invited' });
  });

  it('answers /incident declare before the slow channel creation finishes; the channel link follows on the response_url', async () => {
    stub.script('conversations.create', { hold: true, slow: true });
    const res = await slash(instance.url, stub, 'declare SEV1 "Slow Slack" 🐢', { responsePath: 'slow-declare' });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('in_channel');
    expect(res.body.text).toContain('Creating the incident channel');
    // The answer is here while conversations.create is still waiting on Slack.
    await eventually(() => stub.heldCount > 0, { message: 'conversations.create in flight' });
    expect(stub.callsOf('conversations.create').at(-1)!.status).toBe(-1);
    stub.releaseHeld();
    const number = Number(/#(\d+)/.exec(res.body.text)![1]);
    const declared = await incidentByNumber(instance.url, number);
    const chat = await linkedChannel(instance.url, declared.id);
    expect(chat.channelName).toBe(`inc-${number}-slow-slack`);
    const follow = await eventually(() => stub.responsesTo('slow-declare')[0], { message: 'the follow-up' });
    expect(follow.body.text).toContain(`<#${chat.channelId}>`);
  });

  it('pins a message by :pushpin: as the reacting responder, once', async () => {
    const declared = await declareRest(instance.url, { title: 'Pin me', severity: 'SEV1' });
    const { channelId } = await linkedChannel(instance.url, declared.id);
    const ts = stub.addMessage(channelId, 'Failover done at 09:41 &amp; verified &lt;ok&gt;');
    stub.addMessage(channelId, 'a later message');

    const body = reactionBody(channelId, ts, { eventId: 'Ev0PIN0001' });
    expect((await react(body)).status).toBe(200);
    const [pin] = await eventually(async () => {
      const found = await pins(declared.id);
      return found.length > 0 && found;
    }, { message: 'the pinned note' });
    expect(pin).toMatchObject({ actor: BOB.handle, data: { text: 'Failover done at 09:41 & verified <ok>', pinned: true } });
    const history = stub.callsOf('conversations.history').at(-1)!;
    expect(history.args).toMatchObject({ channel: channelId, latest: ts, inclusive: true });
    expect(Number(history.args.limit)).toBe(1);

    // Slack retries the same event; the reaction is removed and added again (a new event id).
    expect((await react(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    expect((await react(reactionBody(channelId, ts, { eventId: 'Ev0PIN0002' }))).status).toBe(200);
    // Not pins: another emoji, a channel that is no incident's, a stranger.
    await react(reactionBody(channelId, ts, { eventId: 'Ev0PIN0003', reaction: 'eyes' }));
    await react(reactionBody('C0RANDOM01', ts, { eventId: 'Ev0PIN0004' }));
    await react(reactionBody(channelId, ts, { eventId: 'Ev0PIN0005', user: STRANGER }));
    // Alice pins the same message: her own pin.
    await react(reactionBody(channelId, ts, { eventId: 'Ev0PIN0006', user: ALICE.slackUserId }));
    await eventually(async () => (await pins(declared.id)).length === 2, { message: 'alice’s pin' });
    await settled(declared.id);
    expect((await pins(declared.id)).map((p) => p.actor)).toEqual([BOB.handle, ALICE.handle]);
    // A reply in a thread is pinned too (it is not in the channel's history).
    const reply = stub.addMessage(channelId, 'Root cause: a full disk on db-2', 'U0HUMAN2', ts);
    await react(reactionBody(channelId, reply, { eventId: 'Ev0PIN0007' }));
    await eventually(async () => (await pins(declared.id)).length === 3, { message: 'the pinned thread reply' });
    expect((await pins(declared.id)).at(-1)).toMatchObject({ actor: BOB.handle, data: { text: 'Root cause: a full disk on db-2' } });
    expect(await db.count(`SELECT 1 FROM chat_jobs WHERE kind = 'pin'`)).toBe(3);
    // Each pinner is told, only them; the stranger is told why nothing happened.
    const told = await eventually(() => {
      const calls = stub.callsOf('chat.postEphemeral').filter((c) => c.args.channel === channelId);
      return calls.length === 4 && calls;
    }, { message: 'four ephemeral messages' });
    const byUser = new Map(told.map((c) => [c.args.user, String(c.args.text)]));
    expect(byUser.get(STRANGER)).toContain('nothing was pinned');
    expect(byUser.get(ALICE.slackUserId)).toContain(`Pinned to the timeline of #${declared.number}`);
    expect(byUser.get(BOB.slackUserId)).toContain(`Pinned to the timeline of #${declared.number}`);
  });
});
