import { Client } from 'pg';
import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from '../notifications/mail-sink';
import { createIntegration, entry, HookEndpoint, incidentTitled, ok, sendAlerts, startAutomationApp, timeline } from './support';

/**
 * Automation before people, against a real instance: an `auto` automation with `verify` on the
 * alert that declares an incident holds its page (default escalation policy, a responder on
 * email through a real SMTP sink) until the verdict.
 */
describe('automations: the page held until the verdict', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let key: string;
  let sink: MailSink;
  let db: Client;
  const hook = new HookEndpoint();
  const RITA = 'rita@example.com';

  beforeAll(async () => {
    sink = await MailSink.start();
    await hook.start();
    databaseUrl = await createTestDatabase('automations_held_page');
    instance = await startAutomationApp(databaseUrl, { SMTP_URL: sink.url, EMAIL_FROM: 'sitrep@example.test' });
    url = instance.url;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    key = await createIntegration(url, 'search');
    await ok(url, 'PUT', '/api/v1/responders/rita', {
      name: 'rita',
      email: RITA,
      notificationRules: [{ after: 'PT0S', method: 'email' }],
    });
    await ok(url, 'POST', '/api/v1/escalation-policies', {
      name: 'Everything',
      default: true,
      steps: [{ delay: 'PT1S', targets: [{ type: 'responder', handle: 'rita' }] }],
    });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.end();
    await hook.stop();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  async function automation(alertname: string, within: string): Promise<{ id: string; name: string }> {
    const created = await ok(url, 'POST', '/api/v1/automations', {
      name: `Refill ${alertname}`,
      match: { alertnames: [alertname], services: ['search'] },
      action: { type: 'webhook', url: hook.url },
      mode: 'auto',
      verify: { within, resolve: true },
    });
    hook.secret = created.secret;
    return created;
  }

  /** Paging's consumer has applied every event of the incident up to `seq` (its cursor). */
  function pagingHasSeen(incidentId: string, seq: number): Promise<true> {
    return eventually(
      async () => {
        const { rows } = await db.query(`SELECT last_seq FROM paging_event_cursor WHERE incident_id = $1`, [incidentId]);
        return rows[0] && Number(rows[0].last_seq) >= seq ? (true as const) : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, message: `paging to apply ${incidentId} up to seq ${seq}` },
    );
  }

  const pageRows = async (incidentId: string) =>
    (await db.query(`SELECT id FROM pages WHERE incident_id = $1`, [incidentId])).rows;
  const mailsAbout = (number: number) => sink.to(RITA).filter((m) => new RegExp(`#${number}\\b`).test(m.subject));

  it('verified: nobody is ever paged and the incident resolves as automation:<name>', async () => {
    hook.mode = 200;
    const a = await automation('HeldFixed', 'PT30S');
    const alert = { name: 'HeldFixed', instance: 'es-1', startsAt: '2026-12-04T03:21:00Z' };
    await sendAlerts(url, key, 'Held fixed', [alert]);
    const incident = await incidentTitled(url, 'Held fixed');
    expect(incident.severity).toBe('SEV1');
    await entry(url, incident.id, (e) => e.type === 'automation.succeeded');
    await sendAlerts(url, key, 'Held fixed', [{ ...alert, status: 'resolved' }]);
    const resolved = await entry(url, incident.id, (e) => e.type === 'incident.resolved');
    expect(resolved.actor).toBe(`automation:${a.name}`);

    // Paging has applied the declaration, the verdict and the resolution: nothing was started.
    await pagingHasSeen(incident.id, resolved.seq);
    const story = await timeline(url, incident.id);
    expect(story.map((e) => e.type)).toEqual([
      'incident.declared',
      'alert.attached',
      'automation.started',
      'automation.succeeded',
      'alert.resolved',
      'automation.verified',
      'incident.resolved',
    ]);
    expect(story.find((e) => e.type === 'automation.verified').actor).toBe(`automation:${a.name}`);
    expect(await pageRows(incident.id)).toEqual([]);
    const { rows: holds } = await db.query(
      `SELECT automation_id, released_at FROM automation_page_holds WHERE incident_id = $1`,
      [incident.id],
    );
    expect(holds).toEqual([{ automation_id: a.id, released_at: expect.any(Date) }]);
    expect(mailsAbout(incident.number)).toEqual([]);
  });

  it('webhook 500: the held page starts at once and the responder is mailed', async () => {
    hook.mode = 500;
    const a = await automation('HeldBroken', 'PT5M');
    await sendAlerts(url, key, 'Held broken', [{ name: 'HeldBroken', instance: 'es-2' }]);
    const incident = await incidentTitled(url, 'Held broken');
    const paged = await entry(url, incident.id, (e) => e.type === 'incident.paged');
    expect(paged.data.responders).toEqual(['rita']);
    const mail = await eventually(async () => mailsAbout(incident.number)[0], {
      timeoutMs: 15_000,
      intervalMs: 50,
      message: 'the page mail to rita',
    });
    expect(mail.envelopeTo).toEqual([RITA]);

    const story = (await timeline(url, incident.id)).map((e) => e.type);
    expect(story.slice(0, 5)).toEqual([
      'incident.declared',
      'alert.attached',
      'automation.started',
      'automation.failed',
      'incident.paged',
    ]);
    const failed = (await timeline(url, incident.id)).find((e) => e.type === 'automation.failed');
    expect(failed.data).toMatchObject({ automationId: a.id, reason: expect.stringContaining('500') });
  });

  it('a raise of severity while held starts no page; the verdict decides', async () => {
    hook.mode = 200;
    const a = await automation('HeldRaised', 'PT5M');
    const alert = { name: 'HeldRaised', instance: 'es-3', severity: 'warning', startsAt: '2026-12-04T03:21:00Z' };
    await sendAlerts(url, key, 'Held raised', [alert]);
    const incident = await incidentTitled(url, 'Held raised');
    await entry(url, incident.id, (e) => e.type === 'automation.succeeded');
    const raised = await call(url, 'PATCH', `/api/v1/incidents/${incident.id}`, { body: { severity: 'SEV1' } });
    expect(raised.status).toBe(200);
    const change = await entry(url, incident.id, (e) => e.type === 'incident.severity_changed');
    await pagingHasSeen(incident.id, change.seq);
    expect(await pageRows(incident.id)).toEqual([]);

    await sendAlerts(url, key, 'Held raised', [{ ...alert, status: 'resolved' }]);
    const resolved = await entry(url, incident.id, (e) => e.type === 'incident.resolved');
    expect(resolved.actor).toBe(`automation:${a.name}`);
    await pagingHasSeen(incident.id, resolved.seq);
    expect(await pageRows(incident.id)).toEqual([]);
    expect(mailsAbout(incident.number)).toEqual([]);
  });

  it('a later alert the hourly cap skips does not release the hold; the verdict of the held run does', async () => {
    hook.mode = 200;
    const created = await ok(url, 'POST', '/api/v1/automations', {
      name: 'Refill HeldCapped',
      match: { alertnames: ['HeldCapped'], services: ['search'] },
      action: { type: 'webhook', url: hook.url },
      mode: 'auto',
      guards: { maxRunsPerHour: 1 },
      verify: { within: 'PT1M', resolve: true },
    });
    hook.secret = created.secret;
    const first = { name: 'HeldCapped', instance: 'es-6', startsAt: '2026-12-04T03:21:00Z' };
    const second = { name: 'HeldCapped', instance: 'es-7', startsAt: '2026-12-04T03:22:00Z' };
    await sendAlerts(url, key, 'Held capped', [first]);
    const incident = await incidentTitled(url, 'Held capped');
    await entry(url, incident.id, (e) => e.type === 'automation.succeeded');
    await sendAlerts(url, key, 'Held capped', [first, second]);
    const skipped = await entry(url, incident.id, (e) => e.type === 'automation.skipped');
    expect(skipped.data).toMatchObject({ automationId: created.id, reason: expect.stringMatching(/maxRunsPerHour/) });
    await pagingHasSeen(incident.id, skipped.seq);
    expect(await pageRows(incident.id)).toEqual([]);
    const { rows } = await db.query(`SELECT released_at FROM automation_page_holds WHERE incident_id = $1`, [incident.id]);
    expect(rows).toEqual([{ released_at: null }]);

    await sendAlerts(url, key, 'Held capped', [
      { ...first, status: 'resolved' },
      { ...second, status: 'resolved' },
    ]);
    const resolved = await entry(url, incident.id, (e) => e.type === 'incident.resolved');
    expect(resolved.actor).toBe(`automation:${created.name}`);
    await pagingHasSeen(incident.id, resolved.seq);
    expect(await pageRows(incident.id)).toEqual([]);
    expect(mailsAbout(incident.number)).toEqual([]);
  });

  it('an incident no automation runs on is paged on declaration, with no hold', async () => {
    await sendAlerts(url, key, 'Not automated', [{ name: 'NotAutomated', instance: 'es-4' }]);
    const incident = await incidentTitled(url, 'Not automated');
    const paged = await entry(url, incident.id, (e) => e.type === 'incident.paged');
    expect(paged.data.responders).toEqual(['rita']);
    const { rows } = await db.query(`SELECT 1 FROM automation_page_holds WHERE incident_id = $1`, [incident.id]);
    expect(rows).toEqual([]);
  });

  it('counts the holds above and how they ended', async () => {
    const metrics = await call(url, 'GET', '/metrics', { token: null });
    expect(metrics.text).toContain('sitrep_page_holds_total{outcome="held"} 4');
    expect(metrics.text).toContain('sitrep_page_holds_total{outcome="stood_down"} 3');
    expect(metrics.text).toContain('sitrep_page_holds_total{outcome="paged"} 1');
  });

  it('a hold survives a restart: the verdict reached on the next instance pages at once', async () => {
    hook.mode = 200;
    await automation('HeldRestart', 'PT4S');
    await sendAlerts(url, key, 'Held restart', [{ name: 'HeldRestart', instance: 'es-5' }]);
    const incident = await incidentTitled(url, 'Held restart');
    await entry(url, incident.id, (e) => e.type === 'automation.succeeded');
    const held = await eventually(
      async () =>
        (await db.query(`SELECT released_at FROM automation_page_holds WHERE incident_id = $1`, [incident.id])).rows[0],
      { timeoutMs: 15_000, intervalMs: 50, message: 'the hold row' },
    );
    expect(held.released_at).toBeNull();

    await instance.close();
    instance = await startAutomationApp(databaseUrl, { SMTP_URL: sink.url, EMAIL_FROM: 'sitrep@example.test' });
    url = instance.url;
    await entry(url, incident.id, (e) => e.type === 'incident.paged');
    await eventually(async () => mailsAbout(incident.number)[0], {
      timeoutMs: 15_000,
      intervalMs: 50,
      message: 'the page mail after the restart',
    });
    const story = (await timeline(url, incident.id)).map((e) => e.type);
    expect(story.slice(0, 6)).toEqual([
      'incident.declared',
      'alert.attached',
      'automation.started',
      'automation.succeeded',
      'automation.unverified',
      'incident.paged',
    ]);
  });
});
