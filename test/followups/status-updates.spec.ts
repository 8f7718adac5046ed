import { Client } from 'pg';
import { MailSink } from '../notifications/mail-sink';
import { SlackStub } from '../notifications/slack-stub';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { declare, putPeople } from './support';

describe('status updates to stakeholders, and the update cadence', () => {
  let databaseUrl: string;
  let sink: MailSink;
  let slack: SlackStub;
  const instances: TestApp[] = [];
  const start = async () => {
    const app = await startApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      PUBLIC_URL: 'https://sitrep.example.com',
      STAKEHOLDER_SLACK_CHANNEL: '#exec-updates',
      STAKEHOLDER_EMAIL_TO: 'vp@example.com,support-leads@example.com',
      UPDATE_CADENCE: 'SEV1=PT2S',
      TIMER_POLL_MS: '100',
    });
    instances.push(app);
    return app;
  };
  const timeline = async (url: string, id: string) => (await call(url, 'GET', `/api/v1/incidents/${id}/timeline?limit=500`)).body.items as any[];
  const dues = async (url: string, id: string) => (await timeline(url, id)).filter((e) => e.type === 'incident.update_due');
  const stakeholderPosts = () => slack.roots('#exec-updates');
  const reminders = (address: string) => sink.to(address).filter((m) => m.subject.startsWith('Status update due'));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('followups_updates');
    sink = await MailSink.start();
    slack = await SlackStub.start();
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await sink?.close();
    await slack?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('posts an update to the stakeholder channel and mails it, written for people outside the room', async () => {
    const app = await start();
    await putPeople(app.url);
    const incident = await declare(app.url, { title: 'Search results empty for EU users', severity: 'SEV2', service: 'search', commander: 'bob' });
    const text = 'EU search is returning no results for about 30% of queries. A reindex is running; next update by 15:30 UTC.';
    const posted = await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text } });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ type: 'incident.status_update', data: { text } });

    const post = await eventually(() => stakeholderPosts()[0], { message: 'the stakeholder Slack post' });
    const shown = `${post.text}\n${JSON.stringify(post.blocks)}`;
    for (const part of [`#${incident.number}`, 'Search results empty for EU users', 'SEV2', 'Investigating', 'reindex is running', `https://sitrep.example.com/incidents/${incident.id}`]) {
      expect(shown).toContain(part);
    }
    for (const address of ['vp@example.com', 'support-leads@example.com']) {
      const mail = await eventually(() => sink.to(address)[0], { message: `the update mailed to ${address}` });
      expect(mail.subject).toBe(`[SEV2] Incident #${incident.number}: Search results empty for EU users — Investigating`);
      expect(mail.text).toContain(text);
      expect(mail.text).toContain(`https://sitrep.example.com/incidents/${incident.id}`);
    }
    // The status word follows the incident.
    expect((await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/mitigate`, { body: {} })).status).toBe(200);
    await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text: 'Reindex done; results are back for most users.' } });
    const second = await eventually(() => stakeholderPosts()[1], { message: 'the second stakeholder post' });
    expect(`${second.text}${JSON.stringify(second.blocks)}`).toContain('Mitigated');
    expect(stakeholderPosts()).toHaveLength(2);

    // Bad input: empty or over-long text, unknown incident.
    expect((await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text: '' } })).status).toBe(400);
    expect((await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text: 'x'.repeat(10_001) } })).status).toBe(400);
    expect((await call(app.url, 'POST', '/api/v1/incidents/00000000-0000-4000-8000-000000000000/updates', { body: { text: 'hi' } })).status).toBe(404);
  });

  it('reminds the communications lead once per lapse, restarts the clock at each update, survives a restart, never for resolved', async () => {
    const [app] = instances;
    const incident = await declare(app.url, { title: 'Payments declined', severity: 'SEV1', service: 'payments', commander: 'bob' });
    expect((await call(app.url, 'PUT', `/api/v1/incidents/${incident.id}/roles/communications`, { body: { assignee: 'erin' } })).status).toBe(200);
    // The instance that planned the lapse goes; another one fires it.
    await app.close();
    const next = await start();

    const [first] = await eventually(async () => ((await dues(next.url, incident.id)).length ? dues(next.url, incident.id) : null), {
      timeoutMs: 20_000,
      message: 'the first incident.update_due',
    });
    expect(first).toMatchObject({ actor: 'system', data: { cadence: 'PT2S', since: incident.createdAt, remind: 'erin' } });
    const mail = await eventually(() => reminders('erin@example.com')[0], { message: 'erin’s reminder email' });
    expect(mail.subject).toBe(`Status update due: #${incident.number} Payments declined`);
    expect(mail.text).toContain(`https://sitrep.example.com/incidents/${incident.id}`);
    await eventually(() => slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'UERIN01'), { message: 'erin’s reminder DM' });

    const cadence = await call(next.url, 'GET', `/api/v1/incidents/${incident.id}/update-cadence`);
    expect(cadence.body).toMatchObject({ cadence: 'PT2S', since: incident.createdAt, overdue: true });

    // An update restarts the clock: the next lapse counts from it.
    const update = await call(next.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text: 'Card payments failing at the acquirer; failover under way.' } });
    const afterUpdate = await call(next.url, 'GET', `/api/v1/incidents/${incident.id}/update-cadence`);
    expect(afterUpdate.body.nextUpdateDueAt).toBe(new Date(Date.parse(update.body.occurredAt) + 2000).toISOString());
    const both = await eventually(async () => ((await dues(next.url, incident.id)).length >= 2 ? dues(next.url, incident.id) : null), {
      timeoutMs: 20_000,
      message: 'the second lapse',
    });
    expect(both[1].data.since).toBe(update.body.occurredAt);
    expect(Date.parse(both[1].occurredAt)).toBeGreaterThanOrEqual(Date.parse(update.body.occurredAt) + 2000);

    // Resolved: never due. A later incident's lapse (due after this one's would have been) is the marker.
    expect((await call(next.url, 'POST', `/api/v1/incidents/${incident.id}/updates`, { body: { text: 'Fixed.' } })).status).toBe(201);
    expect((await call(next.url, 'POST', `/api/v1/incidents/${incident.id}/resolve`, { body: {} })).status).toBe(200);
    // No communications lead: the commander is reminded. SEV3 has no cadence until it becomes SEV1.
    const other = await declare(next.url, { title: 'Login latency', severity: 'SEV3', commander: 'bob' });
    expect((await call(next.url, 'PATCH', `/api/v1/incidents/${other.id}`, { body: { severity: 'SEV1' } })).status).toBe(200);
    const [otherDue] = await eventually(async () => ((await dues(next.url, other.id)).length ? dues(next.url, other.id) : null), {
      timeoutMs: 20_000,
      message: 'the re-planned lapse after the severity change',
    });
    expect(otherDue.data).toMatchObject({ remind: 'bob', since: other.createdAt });
    await eventually(() => reminders('bob@example.com')[0], { message: 'bob’s reminder' });

    expect(await dues(next.url, incident.id)).toHaveLength(2);
    expect(reminders('erin@example.com')).toHaveLength(2);
    expect((await call(next.url, 'GET', `/api/v1/incidents/${incident.id}/update-cadence`)).body).toMatchObject({ nextUpdateDueAt: null, overdue: false });
    expect(await dues(next.url, other.id)).toHaveLength(1);
  });
  it('takes the facts of an incident it never saw declared from the incident itself, and plans its lapse', async () => {
    const app = instances[instances.length - 1] ?? (await start());
    const incident = await declare(app.url, { title: 'Queue backlog in eu-west', severity: 'SEV3', commander: 'bob' });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const facts = () => db.query(`SELECT last_seq, severity, open FROM followup_cadence WHERE incident_id = $1`, [incident.id]);
      await eventually(async () => ((await facts()).rows.length ? true : null), { message: 'the cadence facts of the declaration' });
      // As if this consumer group had started after the declaration (a new deployment, retention).
      await db.query(`DELETE FROM followup_cadence WHERE incident_id = $1`, [incident.id]);
      await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/notes`, { body: { text: 'not a cadence event' } });
      const changed = await call(app.url, 'PATCH', `/api/v1/incidents/${incident.id}`, { body: { severity: 'SEV1' } });
      expect(changed.status).toBe(200);
      const [due] = await eventually(async () => ((await dues(app.url, incident.id)).length ? dues(app.url, incident.id) : null), {
        timeoutMs: 20_000,
        message: 'the lapse planned from the incident’s own facts',
      });
      expect(due.data).toMatchObject({ cadence: 'PT2S', since: incident.createdAt, remind: 'bob' });
      const { rows } = await facts();
      expect(rows).toEqual([{ last_seq: expect.any(Number), severity: 'SEV1', open: true }]);
      expect(rows[0].last_seq).toBe(changed.body.version);
    } finally {
      await db.end();
    }
  });
});
