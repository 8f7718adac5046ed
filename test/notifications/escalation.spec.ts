import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from './mail-sink';
import { SlackStub } from './slack-stub';
import { blockText, command, declare, entry, NotifyDb, putResponder, startNotifyingApp, timeline } from './support';

describe('escalation after ACK_TIMEOUT (timers are rows)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let sink: MailSink;
  let db: NotifyDb;

  beforeAll(async () => {
    stub = await SlackStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('notify_escalation');
    instance = await startNotifyingApp(databaseUrl, {
      ACK_TIMEOUT: '1',
      SLACK_BOT_TOKEN: stub.token,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL: 'C0ESCALATE',
      SMTP_URL: sink.url,
      NOTIFY_EMAIL_TO: 'oncall@example.com',
    });
    db = await NotifyDb.connect(databaseUrl);
    await putResponder(instance.url, 'dana', { name: 'Dana', email: 'dana@example.com', slackUserId: 'UDANA1234' });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('escalates a SEV1 still triggered to its deputy by email and Slack DM, and leaves an acknowledged one alone', async () => {
    const acknowledged = await declare(instance.url, { title: 'Handled quickly', severity: 'SEV1' });
    await command(instance.url, 'POST', `/api/v1/incidents/${acknowledged.id}/acknowledge`);
    const ignored = await declare(instance.url, { title: 'Nobody looks', severity: 'SEV1', commander: 'erin' });
    await command(instance.url, 'PUT', `/api/v1/incidents/${ignored.id}/roles/deputy`, { assignee: 'dana' });

    const escalated = await entry(instance.url, ignored.id, (e) => e.type === 'incident.escalated');
    expect(escalated).toMatchObject({ actor: 'system', data: { target: 'dana', reason: 'not acknowledged within 1 s' } });
    const mail = await eventually(() => sink.to('dana@example.com').find((m) => m.subject.startsWith('Escalated to you')));
    expect(mail.subject).toBe(`Escalated to you: incident #${ignored.number} not acknowledged after 1 s: Nobody looks`);
    expect(mail.text).toContain('Deputy: dana');
    await eventually(() =>
      stub.messages.find(
        (m) => m.channel === 'DDANA1234' && m.metadata?.event_payload?.incident === ignored.id && blockText(m.blocks).includes('Escalated to you'),
      ),
    );
    // The channel thread hears of it too.
    const root = await eventually(() => stub.roots('C0ESCALATE').find((m) => m.metadata?.event_payload?.incident === ignored.id));
    await eventually(() => stub.replies(root.ts).some((r) => blockText(r.blocks).includes('Escalated to dana: not acknowledged within 1 s')));

    // Timers fire in due order: the acknowledged incident's was due first, and was disarmed (or
    // never written, when the consumer saw the declaration and the acknowledgement in one batch).
    // Escalations are rows of the one timer table; "fired" = fired and escalated, as before the move.
    const timers = await db.query(
      `SELECT key AS incident_id,
              CASE WHEN fired_at IS NULL THEN 'armed'
                   WHEN EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = t.key::uuid AND e.type = 'incident.escalated') THEN 'fired'
                   ELSE 'cancelled' END AS status
       FROM timers t WHERE kind = 'notifications.escalation' AND key = ANY($1::text[])`,
      [[acknowledged.id, ignored.id]],
    );
    expect(timers.filter((t) => t.incident_id === acknowledged.id).map((t) => t.status)).not.toContain('armed');
    expect(timers.filter((t) => t.incident_id === acknowledged.id).map((t) => t.status)).not.toContain('fired');
    expect(timers.find((t) => t.incident_id === ignored.id)?.status).toBe('fired');
    expect((await timeline(instance.url, acknowledged.id)).some((e) => e.type === 'incident.escalated')).toBe(false);
  });

  it('escalates to the email list when there is no deputy; SEV3 incidents have no timer', async () => {
    const minor = await declare(instance.url, { title: 'Minor', severity: 'SEV3' });
    const incident = await declare(instance.url, { title: 'No deputy', severity: 'SEV2' });
    const escalated = await entry(instance.url, incident.id, (e) => e.type === 'incident.escalated');
    expect(escalated.data.target).toBe('NOTIFY_EMAIL_TO');
    const mail = await eventually(() =>
      sink.to('oncall@example.com').find((m) => m.subject.includes(`#${incident.number} not acknowledged after 1 s`)),
    );
    expect(mail.subject).toBe(`[SEV2] Incident #${incident.number} not acknowledged after 1 s: No deputy`);
    expect(await db.query(`SELECT 1 FROM timers WHERE kind = 'notifications.escalation' AND key = $1`, [minor.id])).toEqual([]);
    // Exactly one escalation, however often the dispatcher loop came by.
    await db.settled(incident.id, 3);
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'incident.escalated')).toHaveLength(1);
  });
});
