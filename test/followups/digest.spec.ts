import { MailSink } from '../notifications/mail-sink';
import { SlackStub } from '../notifications/slack-stub';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { addItem, putPeople, utcDay } from './support';

/** HH:MM in UTC, `minutes` from now. */
function clock(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);
}

describe('the daily digest: one message per owner and day, across instances and restarts', () => {
  let databaseUrl: string;
  let sink: MailSink;
  let slack: SlackStub;
  const instances: TestApp[] = [];
  const start = async (reminderTime: string) => {
    const app = await startApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      PUBLIC_URL: 'https://sitrep.example.com',
      REMINDER_TIME: reminderTime,
      REMINDER_TZ: 'UTC',
      TIMER_POLL_MS: '100',
    });
    instances.push(app);
    return app;
  };
  const digestMails = (address: string) => sink.to(address).filter((m) => /action items? needs? you/.test(m.subject));
  const digestDms = (dm: string) => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === dm && /action items? needs? you/.test(JSON.stringify(c.args)));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('followups_digest');
    sink = await MailSink.start();
    slack = await SlackStub.start();
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await sink?.close();
    await slack?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('sends at REMINDER_TIME once, though two instances run it and one restarts; the admin button adds nothing that day', async () => {
    // Planned for two hours from now: nothing fires while the list is made.
    const first = await start(clock(120));
    await putPeople(first.url);
    const tag = 'security-roundup-2026-12';
    const overdue = await addItem(first.url, { title: 'Rotate the CI deploy key', owner: 'alice', dueDate: utcDay(-2), tags: [tag] });
    const tomorrow = await addItem(first.url, { title: 'Review S3 bucket policies', owner: 'alice', dueDate: utcDay(1), tags: [tag] });
    await addItem(first.url, { title: 'Threat-model the new login', owner: 'alice', dueDate: utcDay(10), tags: [tag] });
    const doneLate = await addItem(first.url, { title: 'Close the old VPN', owner: 'alice', dueDate: utcDay(-5), tags: [tag] });
    expect((await call(first.url, 'PATCH', `/api/v1/action-items/${doneLate.id}`, { body: { status: 'done' } })).status).toBe(200);
    await addItem(first.url, { title: 'Turn on MFA for the VPN', owner: 'bob', dueDate: utcDay(0), tags: [tag] });
    await addItem(first.url, { title: 'Revoke stale IAM users', owner: 'carol', dueDate: utcDay(2), tags: [tag] });
    await addItem(first.url, { title: 'Pick a SIEM', owner: 'dave', dueDate: utcDay(5), tags: [tag] });
    await first.close();

    // Two instances come up just after today's reminder time: it is due, and fires on one of them.
    const missed = clock(-1);
    const [second, third] = await Promise.all([start(missed), start(missed)]);

    const alice = await eventually(() => digestMails('alice@example.com')[0], { timeoutMs: 20_000, message: 'alice’s digest email' });
    expect(alice.subject).toBe('2 action items need you (1 overdue)');
    expect(alice.text).toContain('Overdue:\n• Rotate the CI deploy key — due ' + overdue.dueDate + ' (2 days overdue) — #security-roundup-2026-12');
    expect(alice.text).toContain(`• ${tomorrow.title} — due ${tomorrow.dueDate} (tomorrow)`);
    expect(alice.text).not.toContain('Threat-model');
    expect(alice.text).not.toContain('Close the old VPN');
    expect(alice.text).toContain('https://sitrep.example.com/action-items?owner=alice');
    await eventually(() => digestDms('UALICE1')[0], { message: 'alice’s digest DM' });
    const bob = await eventually(() => digestMails('bob@example.com')[0], { message: 'bob’s digest' });
    expect(bob.text).toContain('Turn on MFA for the VPN — due ' + utcDay(0) + ' (today)');
    await eventually(() => digestDms('UCAROL1')[0], { message: 'carol’s digest DM (Slack only)' });

    // A restart on the same day, and the admin's "send today's digest now": nothing new.
    await second.close();
    const fourth = await start(missed);
    const again = await call(fourth.url, 'POST', '/api/v1/action-items/reminders');
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ day: utcDay(0), owners: ['alice', 'bob', 'carol'], sentNow: [] });
    expect((await call(third.url, 'POST', '/api/v1/action-items/reminders', { token: null })).status).toBe(401);

    // A new owner with an overdue item: the button sends theirs only. Its arrival is the marker
    // that every earlier job has had its chance.
    await addItem(fourth.url, { title: 'Publish the roundup notes', owner: 'erin', dueDate: utcDay(-1), tags: [tag] });
    const now = await call(third.url, 'POST', '/api/v1/action-items/reminders');
    expect(now.body).toEqual({ day: utcDay(0), owners: ['alice', 'bob', 'carol', 'erin'], sentNow: ['erin'] });
    await eventually(() => digestMails('erin@example.com')[0], { message: 'erin’s digest' });
    await eventually(() => digestDms('UERIN01')[0], { message: 'erin’s digest DM' });

    expect(digestMails('alice@example.com')).toHaveLength(1);
    expect(digestDms('UALICE1')).toHaveLength(1);
    expect(digestMails('bob@example.com')).toHaveLength(1);
    expect(digestDms('UCAROL1')).toHaveLength(1);
    expect(digestMails('dave@example.com')).toHaveLength(0);
    expect(digestMails('erin@example.com')).toHaveLength(1);
  });
});
