import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { SlackStub, StubMessage } from './slack-stub';
import { blockText, command, declare, entry, NotifyDb, PUBLIC_URL, putResponder, startNotifyingApp, timeline } from './support';

const CHANNEL = 'C0INCIDENTS';

describe('Slack notifications (Web API stub, in-process transport)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let db: NotifyDb;

  const rootOf = (incidentId: string) =>
    eventually(() => stub.roots(CHANNEL).find((m) => m.metadata?.event_payload?.incident === incidentId), {
      timeoutMs: 15_000,
      message: `the root message of ${incidentId}`,
    });

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('notify_slack');
    instance = await startNotifyingApp(databaseUrl, {
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL: CHANNEL,
    });
    db = await NotifyDb.connect(databaseUrl);
    await putResponder(instance.url, 'bob', { name: 'Bob', email: 'bob@example.com', slackUserId: 'UBOB1234' });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('announces a SEV2 incident once, with its facts, a link and Slack-escaped text; SMTP unset makes no email jobs', async () => {
    const incident = await declare(instance.url, { title: 'Checkout & payments <down>', severity: 'SEV2', summary: 'a > b & c < d' });
    const root = await rootOf(incident.id);
    expect(root.channel).toBe(CHANNEL);
    expect(root.threadTs).toBeUndefined();
    expect(root.text).toContain('Checkout &amp; payments &lt;down&gt;');
    expect(root.text).not.toMatch(/<down>/);
    expect(root.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `#${incident.number} Checkout & payments <down>`, emoji: true } });
    const text = blockText(root.blocks);
    for (const fact of ['*Severity*\nSEV2', '*Status*\ntriggered', '*Commander*\n—', '*Deputy*\n—', '*Service*\ncheckout']) expect(text).toContain(fact);
    expect(text).toContain('a &gt; b &amp; c &lt; d');
    expect(text).toContain(`<${PUBLIC_URL}/incidents/${incident.id}|Open incident #${incident.number}>`);
    expect(root.blocks.length).toBeLessThanOrEqual(50);

    const sent = await entry(instance.url, incident.id, (e) => e.type === 'notification.sent');
    expect(sent).toMatchObject({ actor: 'system', data: { channel: 'slack', recipient: CHANNEL } });
    const jobs = await db.settled(incident.id);
    expect(jobs.map((j) => [j.channel, j.kind, j.status])).toEqual([['slack', 'announce', 'sent']]);
    expect(stub.roots(CHANNEL).filter((m) => m.metadata?.event_payload?.incident === incident.id)).toHaveLength(1);
  });

  it('replies in the thread and rewrites the root message on status and severity changes; DMs the assignee', async () => {
    const incident = await declare(instance.url, { title: 'Search latency', severity: 'SEV1' });
    const root = await rootOf(incident.id);
    await command(instance.url, 'POST', `/api/v1/incidents/${incident.id}/acknowledge`, { note: 'looking' });
    await command(instance.url, 'PUT', `/api/v1/incidents/${incident.id}/roles/deputy`, { assignee: 'bob' });
    await command(instance.url, 'PATCH', `/api/v1/incidents/${incident.id}`, { severity: 'SEV2' });

    await eventually(() => blockText(root.blocks).includes('*Severity*\nSEV2') && blockText(root.blocks).includes('*Deputy*\nbob'), {
      timeoutMs: 15_000,
      message: 'the root message to show the current state',
    });
    const current = blockText(root.blocks);
    expect(current).toContain('*Status*\nacknowledged');
    expect(current).toContain('*Commander*\nadmin');
    const replies = stub.replies(root.ts);
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.every((r) => r.channel === CHANNEL && r.threadTs === root.ts)).toBe(true);
    const said = replies.map((r) => blockText(r.blocks)).join('\n');
    expect(said).toContain('Acknowledged: looking (admin)');
    expect(said).toContain('Severity SEV1 → SEV2 (admin)');
    expect(said).toContain('bob is deputy (admin)');

    // bob, the new deputy, gets a direct message in the DM channel conversations.open gave.
    const dm = await eventually(() => stub.messages.find((m) => m.channel === 'DBOB1234' && m.metadata?.event_payload?.incident === incident.id));
    expect(blockText(dm.blocks)).toContain('You are now deputy of incident');
    expect(stub.callsOf('conversations.open').some((c) => c.args.users === 'UBOB1234')).toBe(true);
    await db.settled(incident.id);
  });

  it('does not announce an incident below NOTIFY_MIN_SEVERITY', async () => {
    const minor = await declare(instance.url, { title: 'Minor glitch', severity: 'SEV3' });
    const major = await declare(instance.url, { title: 'Major outage', severity: 'SEV2' });
    await rootOf(major.id);
    // Events are consumed in order: the SEV3 incident's events were planned before the SEV2's.
    expect(await db.jobs(minor.id)).toEqual([]);
    expect(stub.messages.filter((m) => m.metadata?.event_payload?.incident === minor.id)).toEqual([]);
  });

  it('records notification.failed with the reason when Slack answers ok:false channel_not_found, without retrying', async () => {
    stub.script('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    const incident = await declare(instance.url, { title: 'Nowhere to post', severity: 'SEV1' });
    const failed = await entry(instance.url, incident.id, (e) => e.type === 'notification.failed');
    expect(failed.data).toMatchObject({ channel: 'slack', recipient: CHANNEL });
    expect(failed.data.reason).toContain('channel_not_found');
    const [job] = await db.settled(incident.id);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type.startsWith('notification.'))).toHaveLength(1);
  });

  it('retries HTTP 500s and then posts exactly one message', async () => {
    stub.script('chat.postMessage', { status: 500, body: 'oops', channel: CHANNEL }, { status: 503, body: 'oops', channel: CHANNEL });
    const incident = await declare(instance.url, { title: 'Flaky Slack', severity: 'SEV2' });
    await rootOf(incident.id);
    const [job] = await db.settled(incident.id);
    expect(job).toMatchObject({ status: 'sent', attempts: 3 });
    const posts = stub.callsOf('chat.postMessage').filter((c) => c.args.metadata?.event_payload?.incident === incident.id);
    expect(posts.map((c) => c.status)).toEqual([500, 503, 200]);
    expect(stub.ofIncident(incident.id)).toHaveLength(1);
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'notification.sent')).toHaveLength(1);
  });

  it('turns 100 updates in 2 s into a bounded number of Slack calls', async () => {
    const incident = await declare(instance.url, { title: 'Storm', severity: 'SEV2' });
    const root = await rootOf(incident.id);
    await db.settled(incident.id);
    // 100 PATCHes (new title each, severity flipping), four at a time, spread over 2 s.
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < 100) {
          const i = next++;
          const due = started + (i * 2000) / 100;
          if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
          await command(instance.url, 'PATCH', `/api/v1/incidents/${incident.id}`, { title: `Storm ${i}`, severity: i % 2 === 0 ? 'SEV1' : 'SEV2' });
        }
      }),
    );
    const spent = Date.now() - started;
    const final = (await call(instance.url, 'GET', `/api/v1/incidents/${incident.id}`)).body;
    await eventually(
      () => root.blocks[0]?.text?.text === `#${incident.number} ${final.title}` && blockText(root.blocks).includes(`*Severity*\n${final.severity}`),
      { timeoutMs: 20_000, message: 'the root message to show the final state' },
    );
    const jobs = await db.settled(incident.id, 101, 20_000);
    expect(jobs.filter((j) => j.kind === 'update').length).toBeGreaterThanOrEqual(100);
    const replies = stub.replies(root.ts);
    const updates = stub.callsOf('chat.update').filter((c) => c.args.ts === root.ts);
    console.log(`storm: 100 updates in ${spent} ms → ${replies.length} thread replies, ${updates.length} chat.update calls`);
    // No bound on `spent`: under load the 100 PATCHes take longer, and the coalescing bounds below must hold anyway.
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.length).toBeLessThanOrEqual(2);
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(replies.map((r) => blockText(r.blocks)).join('\n')).toMatch(/and \d+ more changes/);
    // Absorbed jobs ended with the job that carried them: one timeline entry per real send.
    const sent = (await timeline(instance.url, incident.id)).filter((e) => e.type === 'notification.sent');
    expect(sent.length).toBe(1 + replies.length);
  });

  it('honours 429 Retry-After on the channel (twice), then posts exactly one message; other gates are not held up', async () => {
    stub.script(
      'chat.postMessage',
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' }, channel: CHANNEL },
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' }, channel: CHANNEL },
    );
    const incident = await declare(instance.url, { title: 'Rate limited', severity: 'SEV1', commander: 'bob' });
    const root: StubMessage = await rootOf(incident.id);
    const attempts = stub
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === CHANNEL && c.args.metadata?.event_payload?.incident === incident.id);
    expect(attempts.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(950);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(950);
    expect(stub.roots(CHANNEL).filter((m) => m.metadata?.event_payload?.incident === incident.id)).toEqual([root]);
    // The DM to the commander went out while the channel waited.
    const dm = stub.messages.find((m) => m.channel === 'DBOB1234' && m.metadata?.event_payload?.incident === incident.id);
    expect(dm).toBeDefined();
    expect(dm!.postedAt).toBeLessThan(attempts[1].at);
    await db.settled(incident.id);
    const outcomes = (await timeline(instance.url, incident.id)).filter((e) => e.type.startsWith('notification.'));
    expect(outcomes.filter((e) => e.data.recipient === CHANNEL)).toHaveLength(1);
  });
});
