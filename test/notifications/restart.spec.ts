import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from './mail-sink';
import { SlackStub } from './slack-stub';
import { declare, NotifyDb, startNotifyingApp, timeline } from './support';

const CHANNEL = 'C0RESTART';

describe('a dispatcher stopped mid-send and a new instance on the same database', () => {
  let databaseUrl: string;
  let stub: SlackStub;
  let sink: MailSink;
  let db: NotifyDb;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    stub = await SlackStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('notify_restart');
    db = await NotifyDb.connect(databaseUrl);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.close();
    await stub?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  const start = async () => {
    const app = await startNotifyingApp(databaseUrl, {
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL: CHANNEL,
      SMTP_URL: sink.url,
      NOTIFY_EMAIL_TO: 'oncall@example.com',
      // A 3 s send timeout: shutdown waits 1.5 s for sends in flight, and leases last 12 s.
      NOTIFY_SEND_TIMEOUT_MS: '3000',
    });
    apps.push(app);
    return app;
  };

  it('ends every job sent or failed, and posts no Slack message twice', async () => {
    const first = await start();
    // Slack posts the first root message but its answer never comes back.
    stub.script('chat.postMessage', { hold: true, record: true, channel: CHANNEL });
    const incidents = [];
    for (let i = 0; i < 3; i++) incidents.push(await declare(first.url, { title: `Restart ${i}`, severity: 'SEV1' }));
    await eventually(() => stub.heldCount === 1, { message: 'a Slack call held open' });
    // Mail is settled before the stop, so the only send in flight is the held Slack call.
    await eventually(async () => (await db.jobs()).filter((j) => j.channel === 'email' && j.status === 'sent').length === 3);
    const [held] = (await db.jobs()).filter((j) => j.status === 'sending');
    expect(held).toMatchObject({ channel: 'slack', kind: 'announce' });

    const stopping = Date.now();
    await first.close(); // gives the held send 1.5 s, then abandons it to its lease
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect((await db.jobs()).find((j) => j.id === held.id)?.status).toBe('sending');

    const second = await start();
    const jobs = await db.settled(undefined, 6, 30_000);
    expect(jobs.every((j) => j.status === 'sent')).toBe(true);
    for (const incident of incidents) {
      expect(stub.roots(CHANNEL).filter((m) => m.metadata?.event_payload?.incident === incident.id)).toHaveLength(1);
      expect(sink.to('oncall@example.com').filter((m) => m.subject.includes(`#${incident.number} `))).toHaveLength(1);
      const outcomes = (await timeline(second.url, incident.id)).filter((e) => e.type.startsWith('notification.'));
      expect(outcomes.map((e) => e.type).sort()).toEqual(['notification.sent', 'notification.sent']);
    }
    // The resumed job looked for its own message (metadata) before posting again, and found it.
    expect(stub.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL)).toHaveLength(3);
  });

  it('does not post twice after a send that timed out although Slack posted it', async () => {
    const instance = apps[apps.length - 1];
    stub.script('chat.postMessage', { hold: true, record: true, channel: CHANNEL });
    const incident = await declare(instance.url, { title: 'Slow Slack', severity: 'SEV1' });
    const jobs = await db.settled(incident.id, 2, 20_000);
    expect(jobs.every((j) => j.status === 'sent')).toBe(true);
    const slackJob = jobs.find((j) => j.channel === 'slack')!;
    expect(slackJob.attempts).toBe(2);
    expect(slackJob.last_error).toBeNull();
    expect(stub.roots(CHANNEL).filter((m) => m.metadata?.event_payload?.incident === incident.id)).toHaveLength(1);
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.metadata?.event_payload?.incident === incident.id)).toHaveLength(1);
  });
});
