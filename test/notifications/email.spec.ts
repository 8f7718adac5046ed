import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from './mail-sink';
import { command, declare, entry, NotifyDb, PUBLIC_URL, putResponder, startNotifyingApp, timeline } from './support';

const LIST = ['oncall@example.com', 'sre@example.com'];

describe('Email notifications (real SMTP server in process, Slack unset)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let sink: MailSink;
  let db: NotifyDb;

  const mailOf = (address: string, incidentNumber: number) =>
    sink.to(address).filter((m) => m.subject.includes(`#${incidentNumber}`));

  beforeAll(async () => {
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('notify_email');
    instance = await startNotifyingApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      NOTIFY_EMAIL_TO: LIST.join(','),
    });
    db = await NotifyDb.connect(databaseUrl);
    await putResponder(instance.url, 'carol', { name: 'Carol', email: 'carol@example.com', slackUserId: 'UCAROL123' });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('mails the list parseable text and HTML with the incident facts when a SEV1 is declared; Slack unset makes no Slack jobs', async () => {
    const incident = await declare(instance.url, { title: 'DB <primary> & replica down', severity: 'SEV1', summary: 'Writes fail' });
    await eventually(() => LIST.every((a) => mailOf(a, incident.number).length === 1), { message: 'one mail per list address' });
    const mail = mailOf(LIST[0], incident.number)[0];
    expect(mail.subject).toBe(`[SEV1] Incident #${incident.number} declared: DB <primary> & replica down`);
    expect(mail.from).toContain('sitrep@example.test');
    expect(mail.to).toBe(LIST[0]);
    for (const fact of ['Severity: SEV1', 'Status: triggered', 'Commander: —', 'Deputy: —', 'Service: checkout', 'Writes fail']) {
      expect(mail.text).toContain(fact);
    }
    expect(mail.text).toContain(`${PUBLIC_URL}/incidents/${incident.id}`);
    expect(mail.html).toContain('DB &lt;primary&gt; &amp; replica down');
    expect(mail.html).toContain(`href="${PUBLIC_URL}/incidents/${incident.id}"`);
    expect(mail.messageId).toMatch(/@sitrep\.notifications>$/);

    const jobs = await db.settled(incident.id, 2);
    expect(jobs.every((j) => j.channel === 'email' && j.status === 'sent')).toBe(true);
    const sent = (await timeline(instance.url, incident.id)).filter((e) => e.type === 'notification.sent');
    expect(sent.map((e) => e.data.recipient).sort()).toEqual([...LIST].sort());
  });

  it('mails the assignee of a role, and the list again when the incident resolves', async () => {
    const incident = await declare(instance.url, { title: 'Queue backlog', severity: 'SEV2' });
    await command(instance.url, 'PUT', `/api/v1/incidents/${incident.id}/roles/commander`, { assignee: 'carol' });
    const assigned = await eventually(() => sink.to('carol@example.com').find((m) => m.subject.includes(`#${incident.number}`)));
    expect(assigned.subject).toBe(`You are now commander of incident #${incident.number}: Queue backlog`);
    expect(assigned.text).toContain('Commander: carol');

    await command(instance.url, 'POST', `/api/v1/incidents/${incident.id}/resolve`, { note: 'drained' });
    await eventually(() => LIST.every((a) => mailOf(a, incident.number).some((m) => m.subject.includes('resolved'))));
    const resolved = mailOf(LIST[1], incident.number).find((m) => m.subject.includes('resolved'))!;
    expect(resolved.subject).toBe(`[SEV2] Incident #${incident.number} resolved: Queue backlog`);
    expect(resolved.text).toContain('Status: resolved');
    expect(resolved.text).toContain('Resolved: drained (admin)');
    await db.settled(incident.id, 5);
    expect((await db.jobs(incident.id)).some((j) => j.channel === 'slack')).toBe(false);
  });

  it('treats a 451 reply as transient: retried, then delivered once', async () => {
    sink.script({ code: 451, message: '4.7.1 Greylisted, try again later' });
    const incident = await declare(instance.url, { title: 'Greylisted', severity: 'SEV1' });
    const jobs = await db.settled(incident.id, 2);
    expect(jobs.every((j) => j.status === 'sent')).toBe(true);
    expect(jobs.map((j) => j.attempts).sort()).toEqual([1, 2]);
    expect(sink.attempts.filter((a) => a.code === 451)).toHaveLength(1);
    for (const address of LIST) expect(mailOf(address, incident.number)).toHaveLength(1);
  });

  it('treats a 550 reply as permanent: notification.failed with the reply, no retry', async () => {
    sink.script({ code: 550, message: '5.1.1 No such user' });
    const incident = await declare(instance.url, { title: 'Bounced', severity: 'SEV1' });
    const failed = await entry(instance.url, incident.id, (e) => e.type === 'notification.failed');
    expect(failed.data.channel).toBe('email');
    expect(failed.data.reason).toContain('SMTP 550');
    expect(failed.data.reason).toContain('No such user');
    const jobs = await db.settled(incident.id, 2);
    const bad = jobs.find((j) => j.status === 'failed')!;
    expect(bad.attempts).toBe(1);
    expect(mailOf(bad.recipient, incident.number)).toHaveLength(0);
    const good = jobs.find((j) => j.status === 'sent')!;
    expect(mailOf(good.recipient, incident.number)).toHaveLength(1);
  });
});
