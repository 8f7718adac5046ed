import { DataSource } from 'typeorm';
import { InvalidMessageJob, NotificationJobs } from '../../src/notifications';
import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from './mail-sink';
import { SlackStub } from './slack-stub';
import { blockText, declare, NotifyDb, startNotifyingApp, timeline } from './support';

/**
 * The channel port other modules use (paging, on-call, digests, status updates): message jobs
 * with an idempotency key, sent by the same dispatcher as incident notifications.
 */
describe('NotificationJobs: messages to people and channels as durable jobs', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let sink: MailSink;
  let db: NotifyDb;
  let jobs: NotificationJobs;
  let dataSource: DataSource;

  const message = (subject: string, text = 'Your on-call shift starts at 09:00 UTC.') => ({ subject, text });
  const row = async (key: string) => (await db.query(`SELECT * FROM notification_jobs WHERE idempotency_key = $1`, [key]))[0];
  const settled = (key: string) =>
    eventually(async () => {
      const job = await row(key);
      return job && (job.status === 'sent' || job.status === 'failed') ? job : undefined;
    }, { message: `message job ${key} to settle` });

  beforeAll(async () => {
    stub = await SlackStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('notify_messages');
    instance = await startNotifyingApp(databaseUrl, {
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL: 'C0MESSAGES',
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      NOTIFY_MIN_SEVERITY: 'SEV1',
    });
    jobs = instance.app.get(NotificationJobs, { strict: false });
    dataSource = instance.app.get(DataSource, { strict: false });
    db = await NotifyDb.connect(databaseUrl);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('sends an email to the SMTP sink once for a key, however often it is enqueued', async () => {
    const spec = { key: 'oncall.shift-start:s1:dana', channel: 'email', to: 'dana@example.com', message: message('On call from 09:00') };
    const results = await Promise.all([jobs.enqueue(undefined, spec), jobs.enqueue(undefined, spec)]);
    expect(results.sort()).toEqual([false, true]);
    const mail = await eventually(() => sink.to('dana@example.com').find((m) => m.subject === 'On call from 09:00'));
    expect(mail.text).toContain('Your on-call shift starts at 09:00 UTC.');
    expect(mail.from).toContain('sitrep@example.test');
    expect(mail.messageId).toMatch(/@sitrep\.notifications>$/);
    expect((await settled(spec.key)).status).toBe('sent');

    // After it was sent, the key is still spent; a later message to the same address shows the queue moved on.
    expect(await jobs.enqueue(undefined, spec)).toBe(false);
    await jobs.enqueue(undefined, { ...spec, key: 'oncall.shift-start:s2:dana', message: message('On call from 21:00') });
    await eventually(() => sink.to('dana@example.com').find((m) => m.subject === 'On call from 21:00'));
    expect(sink.to('dana@example.com').filter((m) => m.subject === 'On call from 09:00')).toHaveLength(1);
  });

  it('sends a Slack DM by user id after a 429, once, and records the outcome on the incident timeline', async () => {
    const incident = await declare(instance.url, { title: 'Paging test', severity: 'SEV3' });
    stub.script('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' }, channel: 'UDANA1234' });
    const key = `paging.step:${incident.id}:1:dana`;
    expect(
      await jobs.enqueue(undefined, {
        key,
        channel: 'slack',
        to: 'UDANA1234',
        message: message('You are paged: Paging test', 'Acknowledge <here> & now'),
        incidentId: incident.id,
        recipientLabel: 'dana',
      }),
    ).toBe(true);

    const job = await settled(key);
    expect(job).toMatchObject({ status: 'sent', channel: 'slack', recipient: 'UDANA1234', gate: 'slack:dm:UDANA1234' });
    const posts = stub.callsOf('chat.postMessage').filter((c) => c.args.channel === 'UDANA1234');
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    const posted = stub.messages.filter((m) => m.metadata?.event_payload?.job === job.uid);
    expect(posted).toHaveLength(1);
    expect(blockText(posted[0].blocks)).toContain('*You are paged: Paging test*');
    expect(blockText(posted[0].blocks)).toContain('Acknowledge &lt;here&gt; &amp; now');
    const outcomes = (await timeline(instance.url, incident.id)).filter((e) => e.type.startsWith('notification.'));
    expect(outcomes.map((e) => [e.type, e.data.channel, e.data.recipient])).toEqual([['notification.sent', 'slack', 'dana']]);
  });

  it('writes the job in the caller transaction: a rollback sends nothing', async () => {
    await dataSource
      .transaction(async (manager) => {
        await jobs.enqueue(manager, { key: 'digest:rolled-back', channel: 'email', to: 'erin@example.com', message: message('Rolled back') });
        throw new Error('the decision failed');
      })
      .catch(() => undefined);
    await dataSource.transaction((manager) =>
      jobs.enqueue(manager, { key: 'digest:committed', channel: 'email', to: 'erin@example.com', message: message('Committed') }),
    );
    await eventually(() => sink.to('erin@example.com').find((m) => m.subject === 'Committed'));
    expect(await row('digest:rolled-back')).toBeUndefined();
    expect(sink.to('erin@example.com').map((m) => m.subject)).toEqual(['Committed']);
  });

  it('leaves a job of a channel this instance lacks to an instance that has it; stores text PostgreSQL cannot', async () => {
    await db.query(
      `INSERT INTO notification_jobs (idempotency_key, channel, recipient, kind, gate, payload, message, give_up_at)
       VALUES ('pigeon:later', 'pigeon', 'loft-7', 'message', 'pigeon:loft-7', '{}', '{"subject": "Paged", "text": "x"}', now() + interval '1 hour')`,
    );
    await jobs.enqueue(undefined, { key: 'digest:nul', channel: 'email', to: 'frank@example.com', message: message('Digest\u0000', 'a\u0000b \ud800') });
    const mail = await eventually(() => sink.to('frank@example.com')[0]);
    expect(mail.subject).toBe('Digest\ufffd');
    expect(mail.text).toContain('a\ufffdb \ufffd');
    expect(await row('pigeon:later')).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses a channel it does not have and an address the channel cannot reach, naming the field', async () => {
    const base = { key: 'k', message: message('x') };
    await expect(jobs.enqueue(undefined, { ...base, channel: 'pigeon', to: 'roof' })).rejects.toThrow(InvalidMessageJob);
    await expect(jobs.enqueue(undefined, { ...base, channel: 'email', to: 'not an address' })).rejects.toThrow(/^message job: to /);
    await expect(jobs.enqueue(undefined, { ...base, channel: 'slack', to: '<!channel>' })).rejects.toThrow(/^message job: to /);
    expect(await row('k')).toBeUndefined();
  });
});
