import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from '../notifications/mail-sink';
import { SlackStub } from '../notifications/slack-stub';
import { createSchedule, putResponders } from './support';

const HOUR = 3600_000;

describe('shift-start notices (notifyShiftStart) by email, once across restarts and instances', () => {
  let databaseUrl: string;
  let sink: MailSink;
  const instances: TestApp[] = [];
  const start = async () => {
    const app = await startApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      TIMER_POLL_MS: '100',
    });
    instances.push(app);
    return app;
  };
  const mailsTo = (address: string) => sink.received.filter((m) => m.envelopeTo.includes(address));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('oncall_notices');
    sink = await MailSink.start();
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('tells the person whose shift starts, once, even when the planner restarts and two instances run', async () => {
    const first = await start();
    await putResponders(first.url);
    const schedule = await createSchedule(first.url, {
      name: 'Payments',
      timeZone: 'Europe/Berlin',
      notifyShiftStart: true,
      layers: [{ name: 'primary', members: ['alice'], start: '2020-01-06T09:00', rotation: 'P1W' }],
    });
    const quiet = await createSchedule(first.url, {
      name: 'Quiet',
      timeZone: 'UTC',
      layers: [{ name: 'primary', members: ['alice'], start: '2020-01-06T09:00', rotation: 'P1W' }],
    });
    const soon = Date.now() + 4000;
    const override = (scheduleId: string, handle: string, at: number) =>
      call(first.url, 'POST', `/api/v1/schedules/${scheduleId}/overrides`, {
        body: { handle, start: new Date(at).toISOString(), end: new Date(at + HOUR).toISOString() },
      });
    expect((await override(schedule.id, 'erin', soon)).status).toBe(201);
    expect((await override(quiet.id, 'bob', soon)).status).toBe(201);
    // Planned, then withdrawn before it starts: nobody is told.
    const withdrawn = await override(schedule.id, 'carol', soon + 500);
    expect(
      (await call(first.url, 'DELETE', `/api/v1/schedules/${schedule.id}/overrides/${withdrawn.body.id}`)).status,
    ).toBe(204);

    // The instance that planned the notice goes away; two others take over.
    await first.close();
    const [second, third] = [await start(), await start()];

    const mail = await eventually(() => mailsTo('erin@example.com')[0], {
      timeoutMs: 30_000,
      message: 'erin’s shift-start email',
    });
    expect(mail.subject).toMatch(/^You are on call for Payments until /);
    expect(mail.text).toContain('starts now');
    expect(mail.text).toContain('Europe/Berlin');
    expect(mail.at).toBeGreaterThanOrEqual(soon - 1000);

    // A later notice on the same schedule is the marker that the earlier ones are all settled.
    const later = Date.now() + 1500;
    expect(
      (
        await call(second.url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, {
          body: { handle: 'dave', start: new Date(later).toISOString(), end: new Date(later + HOUR).toISOString() },
        })
      ).status,
    ).toBe(201);
    await eventually(() => mailsTo('dave@example.com')[0], { timeoutMs: 30_000, message: 'dave’s shift-start email' });
    expect(mailsTo('erin@example.com')).toHaveLength(1);
    expect(mailsTo('carol@example.com')).toHaveLength(0);
    expect(mailsTo('bob@example.com')).toHaveLength(0);
    expect(mailsTo('alice@example.com')).toHaveLength(0);
    expect(third.url).not.toBe(second.url);
  });
});

describe('shift-start notices by Slack DM when the responder has a Slack user id', () => {
  let databaseUrl: string;
  let sink: MailSink;
  let stub: SlackStub;
  let instance: TestApp;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('oncall_notices_slack');
    sink = await MailSink.start();
    stub = await SlackStub.start();
    instance = await startApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      TIMER_POLL_MS: '100',
    });
  });
  afterAll(async () => {
    await instance?.close();
    await stub?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('sends a DM, not an email, to a responder with a Slack user id', async () => {
    const url = instance.url;
    await putResponders(url, ['alice']);
    const frank = await call(url, 'PUT', '/api/v1/responders/frank', {
      body: { name: 'Frank', email: 'frank@example.com', slackUserId: 'UFRANK01' },
    });
    expect(frank.status).toBe(200);
    const schedule = await createSchedule(url, {
      name: 'Edge',
      timeZone: 'America/New_York',
      notifyShiftStart: true,
      layers: [{ name: 'primary', members: ['alice'], start: '2020-01-06T09:00', rotation: 'P1W' }],
    });
    const soon = Date.now() + 1500;
    const override = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, {
      body: { handle: 'frank', start: new Date(soon).toISOString(), end: new Date(soon + HOUR).toISOString() },
    });
    expect(override.status).toBe(201);
    // A user id as the channel of chat.postMessage is Slack's DM to that user.
    const dm = await eventually(
      () => stub.callsOf('chat.postMessage').find((c) => c.args.channel === 'UFRANK01' && c.status === 200),
      { timeoutMs: 30_000, message: 'frank’s shift-start DM' },
    );
    expect(dm.args.text).toMatch(/^You are on call for Edge until .*\(America\/New_York\)/);
    expect(sink.received.filter((m) => m.envelopeTo.includes('frank@example.com'))).toHaveLength(0);
  });
});
