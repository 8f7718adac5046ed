import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import {
  ALICE,
  BOB,
  CARL,
  ChatDb,
  declareRest,
  incident,
  incidentByNumber,
  linkedChannel,
  putResponders,
  slash,
  startChatApp,
  STRANGER,
  timeline,
} from './support';

describe('/incident commands (signed requests over HTTP, Slack stub)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let db: ChatDb;
  /** A SEV3 incident (no channel of its own), addressed by #number. */
  let quiet: any;

  /** Timeline entries people made (notifications add their own `notification.*` entries). */
  const responderEntries = async (id: string) => (await timeline(instance.url, id)).filter((e) => !e.type.startsWith('notification.')).map((e) => e.seq);
  const run = (text: string, options: Parameters<typeof slash>[3] = {}) => slash(instance.url, stub, text, options);

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_commands');
    instance = await startChatApp(databaseUrl, stub);
    db = await ChatDb.connect(databaseUrl);
    await putResponders(instance.url);
    quiet = await declareRest(instance.url, { title: 'Search latency', severity: 'SEV3' });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('help lists the commands, ephemerally', async () => {
    const res = await run('help');
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    for (const word of ['declare SEV1', 'ack', 'mitigate', 'resolve', 'commander @user', 'deputy @user', 'scribe @user', 'comms @user', 'note <text>', 'update <text>', 'status', 'oncall [schedule]'])
      expect(res.body.text).toContain(word);
    expect((await run('')).body.text).toBe(res.body.text);
  });

  it('declare makes an incident as the calling responder, creates its channel and says so on the response_url', async () => {
    const res = await run('declare SEV1 payments RDS replica is about to crash 🔥', { responsePath: 'declare-1' });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('in_channel');
    const number = Number(/#(\d+)/.exec(res.body.text)![1]);
    expect(res.body.text).toContain(`<@${BOB.slackUserId}>`);
    const declared = await incidentByNumber(instance.url, number);
    expect(declared).toMatchObject({ title: 'payments RDS replica is about to crash 🔥', severity: 'SEV1', status: 'triggered' });
    expect((await timeline(instance.url, declared.id))[0]).toMatchObject({ type: 'incident.declared', actor: BOB.handle });

    const chat = await linkedChannel(instance.url, declared.id);
    expect(chat.channelName).toBe(`inc-${number}-payments-rds-replica-is-about-to-crash`);
    expect(stub.channelNamed(chat.channelName)?.id).toBe(chat.channelId);
    await eventually(() => stub.channelNamed(chat.channelName)?.members.includes(BOB.slackUserId), { message: 'the declarer invited' });
    const follow = await eventually(() => stub.responsesTo('declare-1')[0], { message: 'the channel follow-up' });
    expect(follow.body).toMatchObject({ response_type: 'in_channel' });
    expect(follow.body.text).toContain(`<#${chat.channelId}>`);
    expect((await timeline(instance.url, declared.id)).filter((e) => e.type === 'incident.chat_linked')).toHaveLength(1);
  });

  it('acts on the incident of the channel it is typed in: ack, roles with either mention form, note, status, mitigate, resolve', async () => {
    const declared = await declareRest(instance.url, { title: 'Checkout down', severity: 'SEV2' });
    const { channelId } = await linkedChannel(instance.url, declared.id);
    const inRoom = { channel: channelId };

    const ack = await run('ack looking at it', inRoom);
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    expect(ack.body.text).toContain('acknowledged');
    let now = await incident(instance.url, declared.id);
    expect(now).toMatchObject({ status: 'acknowledged', roles: { commander: BOB.handle } });

    expect((await run(`deputy <@${ALICE.slackUserId}|alice>`, inRoom)).body.text).toContain(`<@${ALICE.slackUserId}> is now deputy`);
    expect((await run(`scribe <@${CARL.slackUserId}>`, inRoom)).body.response_type).toBe('in_channel');
    expect((await run(`comms <@${ALICE.slackUserId}>`, inRoom)).body.response_type).toBe('in_channel');
    now = await incident(instance.url, declared.id);
    expect(now.roles).toEqual({ commander: BOB.handle, deputy: ALICE.handle, scribe: CARL.handle, communications: ALICE.handle });

    const note = await run('note Replica lag is 40 s &amp; rising', inRoom);
    expect(note.body.response_type).toBe('in_channel');
    const entries = await timeline(instance.url, declared.id);
    expect(entries.find((e) => e.type === 'note.added')).toMatchObject({ actor: BOB.handle, data: { text: 'Replica lag is 40 s & rising', pinned: false } });

    const status = await run('status', inRoom);
    expect(status.body.response_type).toBe('ephemeral');
    expect(status.body.text).toContain(`#${declared.number}`);
    expect(status.body.text).toContain('acknowledged');

    expect((await run('mitigate rolled back', { ...inRoom, user: ALICE.slackUserId })).body.text).toContain('mitigated');
    expect((await run('resolve', inRoom)).body.text).toContain('resolved');
    now = await incident(instance.url, declared.id);
    expect(now.status).toBe('resolved');
    const moves = (await timeline(instance.url, declared.id)).filter((e) => ['incident.acknowledged', 'incident.mitigated', 'incident.resolved'].includes(e.type));
    expect(moves.map((e) => [e.type, e.actor, e.data.note])).toEqual([
      ['incident.acknowledged', BOB.handle, 'looking at it'],
      ['incident.mitigated', ALICE.handle, 'rolled back'],
      ['incident.resolved', BOB.handle, null],
    ]);
  });

  it('acts on #<number> given anywhere, from any channel', async () => {
    const res = await run(`deputy <@${CARL.slackUserId}|carl> #${quiet.number}`);
    expect(res.body.response_type).toBe('in_channel');
    expect((await run(`commander #${quiet.number} <@${ALICE.slackUserId}>`)).body.response_type).toBe('in_channel');
    expect((await run(`ack #${quiet.number}`)).body.response_type).toBe('in_channel');
    const now = await incident(instance.url, quiet.id);
    expect(now).toMatchObject({ status: 'acknowledged', roles: { commander: ALICE.handle, deputy: CARL.handle } });
  });

  it('turns the incident rules’ refusals into readable ephemeral answers and changes nothing', async () => {
    const before = await incident(instance.url, quiet.id);
    const changes = await responderEntries(quiet.id);
    const again = await run(`ack #${quiet.number}`);
    expect(again.status).toBe(200);
    expect(again.body.response_type).toBe('ephemeral');
    expect(again.body.text).toMatch(/^Not now: /);
    const clash = await run(`deputy <@${ALICE.slackUserId}> #${quiet.number}`);
    expect(clash.body.response_type).toBe('ephemeral');
    expect(clash.body.text).toMatch(/commander/i);
    const after = await incident(instance.url, quiet.id);
    expect([after.status, after.roles]).toEqual([before.status, before.roles]);
    expect(await responderEntries(quiet.id)).toEqual(changes);
  });

  it('names the problem when it cannot tell which incident, or the input is wrong', async () => {
    const nowhere = await run('ack', { channel: 'C0RANDOM01' });
    expect(nowhere.body).toMatchObject({ response_type: 'ephemeral' });
    expect(nowhere.body.text).toContain('Which incident?');
    expect((await run('ack #987654')).body.text).toContain('no incident #987654');
    expect((await run('declare SEV9 nope')).body.text).toContain('severity');
    expect((await run('escalate now')).body.text).toContain('Unknown command');
    expect((await run(`deputy <@U0UNLINKED1> #${quiet.number}`)).body.text).toContain('not linked to a Sitrep responder');
  });

  it('refuses a Slack user who is not a responder, ephemerally, and changes nothing', async () => {
    const before = await incident(instance.url, quiet.id);
    const changes = await responderEntries(quiet.id);
    const incidents = (await call(instance.url, 'GET', '/api/v1/incidents?limit=100')).body.items.length;
    for (const text of ['declare SEV1 Not allowed', `resolve #${quiet.number}`, `note #${quiet.number} hello`, `status #${quiet.number}`]) {
      const res = await run(text, { user: STRANGER });
      expect(res.status).toBe(200);
      expect(res.body.response_type).toBe('ephemeral');
      expect(res.body.text).toContain('does not know your Slack account');
    }
    const after = await incident(instance.url, quiet.id);
    expect([after.status, after.roles]).toEqual([before.status, before.roles]);
    expect(await responderEntries(quiet.id)).toEqual(changes);
    expect((await call(instance.url, 'GET', '/api/v1/incidents?limit=100')).body.items.length).toBe(incidents);
  });

  it('applies a retried command (the same trigger_id) once', async () => {
    const triggerId = '7012345678999.701234567890.retrytrigger000000000000000000';
    const first = await run(`note #${quiet.number} only once`, { triggerId });
    const second = await run(`note #${quiet.number} only once`, { triggerId });
    expect(first.body.response_type).toBe('in_channel');
    expect(second.body).toMatchObject({ response_type: 'ephemeral', text: 'This command was already handled.' });
    const notes = (await timeline(instance.url, quiet.id)).filter((e) => e.type === 'note.added' && e.data.text === 'only once');
    expect(notes).toHaveLength(1);
  });

  it('answers "working on it" when a command outlasts the deadline, and posts its outcome to the response_url when it finishes', async () => {
    const declared = await declareRest(instance.url, { title: 'Locked up', severity: 'SEV3' });
    const blocker = await db.lockIncident(declared.id);
    try {
      const res = await run(`ack #${declared.number}`, { responsePath: 'late-ack' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response_type: 'ephemeral', text: 'Working on it… the outcome will follow here.' });
      expect(stub.responsesTo('late-ack')).toHaveLength(0);
    } finally {
      await blocker.release();
    }
    const follow = await eventually(() => stub.responsesTo('late-ack')[0], { message: 'the late outcome' });
    expect(follow.body).toMatchObject({ response_type: 'in_channel' });
    expect(follow.body.text).toContain(`#${declared.number} Locked up acknowledged by <@${BOB.slackUserId}>`);
    expect((await incident(instance.url, declared.id)).status).toBe('acknowledged');
  });

  it('update records a status update as the caller', async () => {
    const res = await run(`update #${quiet.number} Customers see slow search; next update in 30 min`);
    expect(res.body.response_type).toBe('in_channel');
    expect(res.body.text).toContain('Status update');
    const entry = (await timeline(instance.url, quiet.id)).find((e) => e.type === 'incident.status_update');
    expect(entry).toMatchObject({ actor: BOB.handle, data: { text: 'Customers see slow search; next update in 30 min' } });
  });

  it('oncall answers who is on call now, per schedule or for the one named', async () => {
    const created = await call(instance.url, 'POST', '/api/v1/schedules', {
      body: { name: 'Payments primary', timeZone: 'UTC', layers: [{ name: 'weekly', members: [ALICE.handle], start: '2026-01-05T09:00', rotation: 'P1W' }] },
    });
    expect(created.status).toBe(201);
    const all = await run('oncall');
    expect(all.body.response_type).toBe('ephemeral');
    expect(all.body.text).toContain(`*Payments primary*: <@${ALICE.slackUserId}>`);
    expect((await run('oncall payments PRIMARY')).body.text).toContain(`<@${ALICE.slackUserId}>`);
    expect((await run('oncall Databases')).body.text).toContain('No schedule is called "Databases"');
  });
});
