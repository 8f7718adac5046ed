import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { command, declare, entry, NotifyDb, putResponder, startNotifyingApp, timeline } from './support';

describe('notifications with neither Slack nor SMTP configured', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let db: NotifyDb;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('notify_off');
    instance = await startNotifyingApp(databaseUrl, { NOTIFY_EMAIL_TO: 'oncall@example.com', ACK_TIMEOUT: '1' });
    db = await NotifyDb.connect(databaseUrl);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('makes no jobs, records no notification, and the incident runs as usual (escalation included)', async () => {
    await putResponder(instance.url, 'frank', { name: 'Frank', email: 'frank@example.com', slackUserId: 'UFRANK123' });
    const incident = await declare(instance.url, { title: 'Quiet', severity: 'SEV1' });
    await command(instance.url, 'PUT', `/api/v1/incidents/${incident.id}/roles/deputy`, { assignee: 'frank' });
    // The timer still fires: escalation is recorded even when nobody can be told.
    const escalated = await entry(instance.url, incident.id, (e) => e.type === 'incident.escalated');
    expect(escalated.data.target).toBe('frank');
    await command(instance.url, 'POST', `/api/v1/incidents/${incident.id}/resolve`);
    // The events were consumed (the facts are up to date) and produced nothing to send.
    await eventually(
      async () => (await db.query(`SELECT status FROM notification_incidents WHERE incident_id = $1`, [incident.id]))[0]?.status === 'resolved',
      { message: 'the resolution to be consumed' },
    );
    expect(await db.jobs()).toEqual([]);
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type.startsWith('notification.'))).toEqual([]);
    expect((await call(instance.url, 'GET', '/readyz', { token: null })).status).toBe(200);
    const metrics = (await call(instance.url, 'GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(/^sitrep_notifications_queue_depth 0$/m);
  });
});
