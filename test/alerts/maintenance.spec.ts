import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AlertBatchProcessor } from '../../src/alerts/consumer/alert-batch.processor';
import { MailSink } from '../notifications/mail-sink';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import {
  alertmanagerBody,
  api,
  count,
  createIntegration,
  eventsOf,
  incidentsOfGroup,
  sendAlertmanager,
  TestIntegration,
  until,
} from './support';

/**
 * Maintenance windows against the real service and PostgreSQL (in-process transport): a
 * planned reindex of `search` holds its alerts — stored, 2xx to Alertmanager, no incident,
 * nobody paged — and hands the still-firing ones back when the window ends.
 */
describe('maintenance windows', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let sink: MailSink;
  let db: Client;
  let am: TestIntegration;
  const env = () => ({ TIMER_POLL_MS: '100', SMTP_URL: sink.url, EMAIL_FROM: 'sitrep@example.test' });

  beforeAll(async () => {
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('alerts_maintenance');
    instance = await startApp(databaseUrl, env());
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    am = await createIntegration(instance.url, 'alertmanager', 'prod alertmanager', 'search');
    // alice is paged by email for any incident of search: a page is what a window must prevent.
    expect(
      (await api(instance.url, 'PUT', '/api/v1/responders/alice', { name: 'alice', email: 'alice@example.com' }))
        .status,
    ).toBeLessThan(300);
    const policy = await api(instance.url, 'POST', '/api/v1/escalation-policies', {
      name: 'Search',
      steps: [{ delay: 'PT5M', targets: [{ type: 'responder', handle: 'alice' }] }],
    });
    expect(policy.status).toBe(201);
    expect(
      (await api(instance.url, 'PUT', '/api/v1/services/search', { escalationPolicyId: policy.body.id })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  const seconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const openWindow = async (endInSeconds: number, services = ['search']) => {
    const res = await api(instance.url, 'POST', '/api/v1/maintenance-windows', {
      services,
      start: seconds(-1),
      end: seconds(endInSeconds),
      reason: 'Elasticsearch reindex',
    });
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      services: string[];
      start: string;
      end: string;
      reason: string;
      createdBy: string;
    };
  };
  const heldRows = (windowId: string) =>
    db
      .query(`SELECT identity, status, incident_id FROM alerts WHERE held_by = $1 ORDER BY identity`, [windowId])
      .then((r) => r.rows);
  const waitHeld = (windowId: string, n: number, check: (rows: any[]) => boolean = () => true) =>
    eventually(
      async () => {
        const rows = await heldRows(windowId);
        return rows.length === n && check(rows) ? rows : undefined;
      },
      { timeoutMs: 15000, message: `${n} alerts held by ${windowId}` },
    );
  const pagedMails = () => sink.to('alice@example.com').length;
  // Alerts of one notification share their first-seen time: the API orders them by id then.
  const byInstance = (items: any[]) => [...items].sort((x, y) => x.labels.instance.localeCompare(y.labels.instance));

  it('holds a planned deploy’s alerts, then declares one incident of those still firing at its end', async () => {
    const mailsBefore = pagedMails();
    const window = await openWindow(4);
    expect(window).toMatchObject({ services: ['search'], reason: 'Elasticsearch reindex', createdBy: 'admin' });

    const key = '{}:{alertname="ReindexLag"}';
    const group = `${am.id}:${key}`;
    const firing = alertmanagerBody(key, [
      { name: 'ReindexLag', instance: 'es-1', severity: 'critical' },
      { name: 'ReindexLag', instance: 'es-2' },
    ]);
    expect((await sendAlertmanager(instance.url, am.key, firing)).status).toBe(202);
    await waitHeld(window.id, 2);
    expect(await incidentsOfGroup(db, group)).toEqual([]);

    // Seen again: still held. es-2 recovers during the window: it just resolves.
    expect((await sendAlertmanager(instance.url, am.key, firing)).status).toBe(202);
    const recovered = alertmanagerBody(key, [
      { name: 'ReindexLag', instance: 'es-1', severity: 'critical' },
      { name: 'ReindexLag', instance: 'es-2', status: 'resolved' },
    ]);
    expect((await sendAlertmanager(instance.url, am.key, recovered)).status).toBe(202);
    await waitHeld(window.id, 2, (rows) => rows[1].status === 'resolved');

    const listed = await api(instance.url, 'GET', `/api/v1/maintenance-windows/${window.id}/alerts`);
    expect(listed.status).toBe(200);
    expect(byInstance(listed.body.items).map((a: any) => [a.labels.instance, a.status, a.incidentId])).toEqual([
      ['es-1', 'firing', null],
      ['es-2', 'resolved', null],
    ]);
    const active = await api(instance.url, 'GET', '/api/v1/maintenance-windows?active=true');
    expect(active.body.items.map((w: any) => w.id)).toContain(window.id);

    // The end: es-1, still firing, declares one incident and pages alice.
    const [incident] = await eventually(
      async () => {
        const rows = await incidentsOfGroup(db, group);
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 15000, message: 'the release declares' },
    );
    expect(incident).toMatchObject({
      service: 'search',
      severity: 'SEV1',
      alerts_total: 1,
      alerts_firing: 1,
      source: 'alert',
    });
    expect(
      (await eventsOf(db, incident.id))
        .filter((e) => e.type.startsWith('alert.'))
        .map((e) => [e.type, e.data.identity]),
    ).toEqual([['alert.attached', expect.any(String)]]);
    expect((await eventsOf(db, incident.id)).find((e) => e.type === 'note.added')?.data.text).toBe(
      '1 alert(s) held by the maintenance window "Elasticsearch reindex" were still firing when it ended.',
    );
    await eventually(() => (pagedMails() > mailsBefore ? true : undefined), {
      timeoutMs: 15000,
      message: 'alice paged after the window',
    });
    expect(pagedMails()).toBe(mailsBefore + 1);
    expect(mailsBefore).toBe(0); // nobody was paged while it held

    const after = await api(instance.url, 'GET', `/api/v1/maintenance-windows/${window.id}`);
    expect(after.body).toMatchObject({ active: false, releasedAt: expect.any(String) });
    const released = await api(instance.url, 'GET', `/api/v1/maintenance-windows/${window.id}/alerts`);
    expect(byInstance(released.body.items).map((a: any) => [a.labels.instance, a.incidentId])).toEqual([
      ['es-1', incident.id],
      ['es-2', null],
    ]);
    expect(
      (await api(instance.url, 'GET', '/api/v1/maintenance-windows?active=false')).body.items.map((w: any) => w.id),
    ).toContain(window.id);

    // A second firing of the release (another instance, a retry) changes nothing.
    const again = await instance.app
      .get(DataSource)
      .transaction((tx) => instance.app.get(AlertBatchProcessor).release(tx, window.id));
    expect(again).toEqual({ released: 0, heldAgain: 0 });
    expect(await count(db, `SELECT count(*) AS n FROM incidents WHERE group_key = $1`, [group])).toBe(1);
  });

  it('lets alerts of an already open incident attach; DELETE ends the window early and releases at once', async () => {
    const openKey = '{}:{alertname="SearchLatency"}';
    const openGroup = `${am.id}:${openKey}`;
    expect(
      (
        await sendAlertmanager(
          instance.url,
          am.key,
          alertmanagerBody(openKey, [{ name: 'SearchLatency', instance: 'es-1' }]),
        )
      ).status,
    ).toBe(202);
    await until(
      db,
      `SELECT alerts_total FROM incidents WHERE group_key = $1`,
      [openGroup],
      (r: any) => r.alerts_total === 1,
      'the open incident',
    );

    const window = await openWindow(3600);
    const heldKey = '{}:{alertname="ShardUnassigned"}';
    const heldGroup = `${am.id}:${heldKey}`;
    const more = alertmanagerBody(openKey, [
      { name: 'SearchLatency', instance: 'es-1' },
      { name: 'SearchLatency', instance: 'es-2' },
    ]);
    expect((await sendAlertmanager(instance.url, am.key, more)).status).toBe(202);
    expect(
      (
        await sendAlertmanager(
          instance.url,
          am.key,
          alertmanagerBody(heldKey, [{ name: 'ShardUnassigned', instance: 'es-3' }]),
        )
      ).status,
    ).toBe(202);
    await until(
      db,
      `SELECT alerts_total FROM incidents WHERE group_key = $1`,
      [openGroup],
      (r: any) => r.alerts_total === 2,
      'es-2 attached',
    );
    await waitHeld(window.id, 1);
    expect(await incidentsOfGroup(db, heldGroup)).toEqual([]);

    expect((await call(instance.url, 'DELETE', `/api/v1/maintenance-windows/${window.id}`)).status).toBe(204);
    const [declared] = await eventually(
      async () => {
        const rows = await incidentsOfGroup(db, heldGroup);
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 15000, message: 'DELETE releases' },
    );
    expect(declared).toMatchObject({ alerts_total: 1, service: 'search' });
    const ended = await api(instance.url, 'GET', `/api/v1/maintenance-windows/${window.id}`);
    expect(ended.body).toMatchObject({ active: false, endedBy: 'admin' });
    expect(Date.parse(ended.body.end)).toBeLessThan(Date.parse(ended.body.plannedEnd));

    // Ending it again is a no-op (a retried DELETE); an unknown window is a 404.
    expect((await call(instance.url, 'DELETE', `/api/v1/maintenance-windows/${window.id}`)).status).toBe(204);
    expect(
      (await call(instance.url, 'DELETE', '/api/v1/maintenance-windows/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
    expect((await call(instance.url, 'GET', '/api/v1/maintenance-windows/not-a-uuid/alerts')).status).toBe(404);
    expect(await count(db, `SELECT count(*) AS n FROM incidents WHERE group_key = $1`, [heldGroup])).toBe(1);
  });

  it('refuses bad input with a 400 naming the field, and needs the responder role to write', async () => {
    const bad = await api(instance.url, 'POST', '/api/v1/maintenance-windows', {
      services: ['search', ''],
      start: '2026-03-14 02:00',
      end: seconds(60),
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path)).toEqual(['services[1]', 'start']);
    const backwards = await api(instance.url, 'POST', '/api/v1/maintenance-windows', {
      services: ['search'],
      start: seconds(120),
      end: seconds(60),
      reason: 'x',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details).toEqual([{ path: 'end', problem: 'must be after start' }]);
    expect((await api(instance.url, 'GET', '/api/v1/maintenance-windows?active=maybe')).status).toBe(400);
    expect((await call(instance.url, 'POST', '/api/v1/maintenance-windows', { token: null, body: {} })).status).toBe(
      401,
    );
    const viewer = (await api(instance.url, 'POST', '/api/v1/tokens', { name: 'wallboard', role: 'viewer' })).body
      .token;
    const asViewer = await call(instance.url, 'POST', '/api/v1/maintenance-windows', {
      token: viewer,
      body: { services: ['search'], start: seconds(0), end: seconds(60), reason: 'x' },
    });
    expect(asViewer.status).toBe(403);
    expect((await call(instance.url, 'GET', '/api/v1/maintenance-windows', { token: viewer })).status).toBe(200);
  });

  it('pages the list newest first with a cursor', async () => {
    const first = await openWindow(600, ['billing']);
    const second = await openWindow(600, ['billing']);
    const page1 = await api(instance.url, 'GET', '/api/v1/maintenance-windows?limit=1');
    expect(page1.body.items.map((w: any) => w.id)).toEqual([second.id]);
    const page2 = await api(instance.url, 'GET', `/api/v1/maintenance-windows?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((w: any) => w.id)).toEqual([first.id]);
    expect((await api(instance.url, 'GET', '/api/v1/maintenance-windows?cursor=bogus')).status).toBe(400);
    expect((await api(instance.url, 'GET', '/api/v1/maintenance-windows?limit=0')).status).toBe(400);
    for (const id of [first.id, second.id]) {
      expect((await call(instance.url, 'DELETE', `/api/v1/maintenance-windows/${id}`)).status).toBe(204);
    }
  });

  it('survives a restart during the window: the release fires once, after it, across two instances', async () => {
    const window = await openWindow(3);
    const key = '{}:{alertname="ReplicaLag"}';
    const group = `${am.id}:${key}`;
    expect(
      (await sendAlertmanager(instance.url, am.key, alertmanagerBody(key, [{ name: 'ReplicaLag', instance: 'es-4' }])))
        .status,
    ).toBe(202);
    await waitHeld(window.id, 1);

    await instance.close();
    // Down past the window's end: nothing could release it meanwhile.
    await eventually(() => (Date.now() > Date.parse(window.end) + 500 ? true : undefined), {
      timeoutMs: 10000,
      message: 'the end passes',
    });
    expect(await incidentsOfGroup(db, group)).toEqual([]);
    const [a, b] = await Promise.all([startApp(databaseUrl, env()), startApp(databaseUrl, env())]);
    instance = a;
    try {
      await eventually(
        async () => {
          const rows = await incidentsOfGroup(db, group);
          return rows.length > 0 ? rows : undefined;
        },
        { timeoutMs: 15000, message: 'released after the restart' },
      );
      await until(
        db,
        `SELECT released_at FROM maintenance_windows WHERE id = $1`,
        [window.id],
        (r: any) => r.released_at !== null,
        'released',
      );
      expect(await count(db, `SELECT count(*) AS n FROM incidents WHERE group_key = $1`, [group])).toBe(1);
      const [incident] = await incidentsOfGroup(db, group);
      expect((await eventsOf(db, incident.id)).filter((e) => e.type === 'alert.attached')).toHaveLength(1);
    } finally {
      await b.close();
    }
  });
});
