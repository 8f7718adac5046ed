import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { call, startApp, TestApp } from '../support/app';
import { declare, tokenFor } from './support';

describe('incident command over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let db: Client;
  let alice: string;
  let bob: string;
  let viewer: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('incidents');
    instance = await startApp(databaseUrl);
    url = instance.url;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    alice = await tokenFor(url, 'alice', 'responder');
    bob = await tokenFor(url, 'bob', 'responder');
    viewer = await tokenFor(url, 'status-page', 'viewer');
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  async function events(incidentId: string) {
    const { rows } = await db.query(
      `SELECT seq, type, actor, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
      [incidentId],
    );
    return rows as Array<{ seq: number; type: string; actor: string; data: any }>;
  }

  it('runs the whole lifecycle, recording one event per change with the token name as actor', async () => {
    const declared = await call(url, 'POST', '/api/v1/incidents', {
      token: alice,
      body: { title: 'Replica db-2 about to crash', severity: 'SEV1', summary: 'Replication lag 40 s', service: 'orders-db' },
    });
    expect(declared.status).toBe(201);
    expect(declared.headers.get('etag')).toBe('"1"');
    const incident = declared.body;
    expect(incident).toMatchObject({
      title: 'Replica db-2 about to crash',
      summary: 'Replication lag 40 s',
      status: 'triggered',
      severity: 'SEV1',
      service: 'orders-db',
      roles: { commander: null, deputy: null, scribe: null, communications: null },
      acknowledgedAt: null,
      mitigatedAt: null,
      resolvedAt: null,
      alerts: { total: 0, firing: 0 },
      version: 1,
    });
    expect(incident.number).toBeGreaterThanOrEqual(1);
    expect(incident.id).toMatch(/^[0-9a-f-]{36}$/);

    const id = incident.id;
    const got = await call(url, 'GET', `/api/v1/incidents/${id}`, { token: viewer });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(incident);

    // The first acknowledgement makes the acknowledger commander.
    const acked = await call(url, 'POST', `/api/v1/incidents/${id}/acknowledge`, { token: bob, body: { note: 'on it' } });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', roles: { commander: 'bob' }, version: 3 });
    expect(acked.body.acknowledgedAt).not.toBeNull();

    expect((await call(url, 'PUT', `/api/v1/incidents/${id}/roles/deputy`, { token: bob, body: { assignee: 'alice' } })).body.roles).toMatchObject({
      commander: 'bob',
      deputy: 'alice',
    });
    expect((await call(url, 'PUT', `/api/v1/incidents/${id}/roles/scribe`, { token: bob, body: { assignee: 'carol' } })).status).toBe(200);
    expect((await call(url, 'PUT', `/api/v1/incidents/${id}/roles/communications`, { token: bob, body: { assignee: 'dave' } })).status).toBe(200);

    // Nobody holds commander and deputy at once.
    const clash = await call(url, 'PUT', `/api/v1/incidents/${id}/roles/commander`, { token: bob, body: { assignee: 'alice' } });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'ROLE_CONFLICT' });

    // Removing the commander with a deputy present hands command over.
    const handoff = await call(url, 'DELETE', `/api/v1/incidents/${id}/roles/commander`, { token: bob });
    expect(handoff.status).toBe(200);
    expect(handoff.body.roles).toEqual({ commander: 'alice', deputy: null, scribe: 'carol', communications: 'dave' });

    const patched = await call(url, 'PATCH', `/api/v1/incidents/${id}`, {
      token: alice,
      body: { title: 'db-2 replica crash', severity: 'SEV2', summary: 'Failing over to db-3' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'db-2 replica crash', severity: 'SEV2', summary: 'Failing over to db-3' });

    const note = await call(url, 'POST', `/api/v1/incidents/${id}/notes`, { token: alice, body: { text: 'Failover started', pinned: true } });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ incidentId: id, type: 'note.added', actor: 'alice', data: { text: 'Failover started', pinned: true } });
    expect(note.body.seq).toBeGreaterThan(1);

    const mitigated = await call(url, 'POST', `/api/v1/incidents/${id}/mitigate`, { token: alice });
    expect(mitigated.body).toMatchObject({ status: 'mitigated' });
    const resolved = await call(url, 'POST', `/api/v1/incidents/${id}/resolve`, { token: alice, body: { note: 'db-3 primary' } });
    expect(resolved.body).toMatchObject({ status: 'resolved' });
    expect(resolved.body.resolvedAt).not.toBeNull();
    const reopened = await call(url, 'POST', `/api/v1/incidents/${id}/reopen`, { token: bob });
    expect(reopened.body).toMatchObject({ status: 'triggered', resolvedAt: null });

    const log = await events(id);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(reopened.body.version).toBe(log.length);
    expect(log.map((e) => e.type)).toEqual([
      'incident.declared',
      'incident.acknowledged',
      'incident.role_assigned',
      'incident.role_assigned',
      'incident.role_assigned',
      'incident.role_assigned',
      'incident.commander_handoff',
      'incident.updated',
      'incident.severity_changed',
      'note.added',
      'incident.mitigated',
      'incident.resolved',
      'incident.reopened',
    ]);
    expect(log.filter((e) => e.type === 'incident.commander_handoff')).toEqual([
      expect.objectContaining({ actor: 'bob', data: { from: 'bob', to: 'alice' } }),
    ]);
    expect(log[0].actor).toBe('alice');
    expect(log[1]).toMatchObject({ actor: 'bob', data: { note: 'on it' } });
  });

  it('skips forward (triggered → resolved) and rejects other moves with 409 in the error shape', async () => {
    const a = await declare(url, {}, alice);
    expect((await call(url, 'POST', `/api/v1/incidents/${a.id}/resolve`, { token: alice })).body.status).toBe('resolved');
    for (const move of ['acknowledge', 'mitigate', 'resolve']) {
      const res = await call(url, 'POST', `/api/v1/incidents/${a.id}/${move}`, { token: alice });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(res.body.code).toMatch(/^[A-Z_]+$/);
      expect(typeof res.body.message).toBe('string');
    }
    const b = await declare(url, {}, alice);
    await call(url, 'POST', `/api/v1/incidents/${b.id}/mitigate`, { token: alice });
    const back = await call(url, 'POST', `/api/v1/incidents/${b.id}/acknowledge`, { token: alice });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe('INVALID_TRANSITION');
    expect((await call(url, 'POST', `/api/v1/incidents/${b.id}/reopen`, { token: alice })).status).toBe(409);
    // A rejected command leaves no trace.
    expect((await events(b.id)).map((e) => e.type)).toEqual(['incident.declared', 'incident.mitigated']);
  });

  it('honours If-Match: the current version passes, a stale one is 412 and changes nothing', async () => {
    const inc = await declare(url, {}, alice);
    const ok = await call(url, 'PATCH', `/api/v1/incidents/${inc.id}`, { token: alice, headers: { 'if-match': '"1"' }, body: { title: 'New title' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await call(url, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, { token: bob, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ statusCode: 412, error: 'Precondition Failed' });
    const garbage = await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { token: bob, headers: { 'if-match': 'banana' }, body: { text: 'x' } });
    expect(garbage.status).toBe(412);
    expect((await events(inc.id)).length).toBe(2);
    const star = await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { token: bob, headers: { 'if-match': '*' }, body: { text: 'x' } });
    expect(star.status).toBe(201);
  });

  it('keeps seq gapless and version equal to the event count under 20 concurrent commands', async () => {
    const inc = await declare(url, {}, alice);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { token: alice, body: { text: `note ${i}` } })
          : call(url, 'POST', `/api/v1/incidents/${inc.id}/action-items`, { token: bob, body: { title: `item ${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const log = await events(inc.id);
    expect(log).toHaveLength(21);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const current = await call(url, 'GET', `/api/v1/incidents/${inc.id}`);
    expect(current.body.version).toBe(21);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM action_items WHERE incident_id = $1`, [inc.id]);
    expect(rows[0].n).toBe(10);
  });

  it('manages action items: add with owner and due date, update, mark done; unknown item 404', async () => {
    const inc = await declare(url, {}, alice);
    const added = await call(url, 'POST', `/api/v1/incidents/${inc.id}/action-items`, {
      token: alice,
      body: { title: 'Alert on replica lag', owner: 'carol', dueDate: '2026-12-15' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ incidentId: inc.id, title: 'Alert on replica lag', owner: 'carol', dueDate: '2026-12-15', status: 'open' });
    const done = await call(url, 'PATCH', `/api/v1/incidents/${inc.id}/action-items/${added.body.id}`, {
      token: bob,
      body: { status: 'done', owner: null },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: added.body.id, status: 'done', owner: null, dueDate: '2026-12-15' });
    const missing = await call(url, 'PATCH', `/api/v1/incidents/${inc.id}/action-items/00000000-0000-4000-8000-000000000000`, {
      token: bob,
      body: { status: 'done' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ACTION_ITEM_NOT_FOUND');
    const badDate = await call(url, 'POST', `/api/v1/incidents/${inc.id}/action-items`, { token: bob, body: { title: 'x', dueDate: '2026-02-30' } });
    expect(badDate.status).toBe(400);
    expect(badDate.body.details[0].path).toBe('dueDate');
  });

  it('lists the alerts attached (none for a declared incident) and 404s unknown ids everywhere', async () => {
    const inc = await declare(url, {}, alice);
    expect((await call(url, 'GET', `/api/v1/incidents/${inc.id}/alerts`)).body).toEqual({ items: [] });
    const unknown = '6f1c2e0a-3b7d-4c8e-9f10-112233445566';
    const probes: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/incidents/${unknown}`],
      ['GET', `/api/v1/incidents/not-an-id`],
      ['PATCH', `/api/v1/incidents/${unknown}`, { title: 'x' }],
      ['POST', `/api/v1/incidents/${unknown}/acknowledge`, {}],
      ['PUT', `/api/v1/incidents/${unknown}/roles/commander`, { assignee: 'x' }],
      ['DELETE', `/api/v1/incidents/${unknown}/roles/commander`],
      ['POST', `/api/v1/incidents/${unknown}/notes`, { text: 'x' }],
      ['POST', `/api/v1/incidents/${unknown}/action-items`, { title: 'x' }],
      ['GET', `/api/v1/incidents/${unknown}/alerts`],
      ['POST', `/api/v1/incidents/${inc.id}/explode`, {}],
    ];
    for (const [method, path, body] of probes) {
      const res = await call(url, method, path, { token: alice, body });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });

  it('lets viewers read and nobody write without the responder role', async () => {
    const inc = await declare(url, {}, alice);
    expect((await call(url, 'GET', `/api/v1/incidents/${inc.id}`, { token: viewer })).status).toBe(200);
    expect((await call(url, 'GET', `/api/v1/incidents`, { token: viewer })).status).toBe(200);
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/api/v1/incidents', { title: 'x', severity: 'SEV1' }],
      ['PATCH', `/api/v1/incidents/${inc.id}`, { title: 'x' }],
      ['POST', `/api/v1/incidents/${inc.id}/acknowledge`, {}],
      ['PUT', `/api/v1/incidents/${inc.id}/roles/scribe`, { assignee: 'x' }],
      ['DELETE', `/api/v1/incidents/${inc.id}/roles/scribe`, undefined],
      ['POST', `/api/v1/incidents/${inc.id}/notes`, { text: 'x' }],
      ['POST', `/api/v1/incidents/${inc.id}/action-items`, { title: 'x' }],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(url, method, path, { token: viewer, body });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    expect((await call(url, 'GET', `/api/v1/incidents/${inc.id}`, { token: null })).status).toBe(401);
    expect((await events(inc.id)).length).toBe(1);
  });

  it('rejects bad input with 400 naming the field, and stores hostile-looking text verbatim', async () => {
    const bad: Array<[unknown, string]> = [
      [{ title: 'x'.repeat(10000), severity: 'SEV1' }, 'title'],
      [{ title: 'x'.repeat(201), severity: 'SEV1' }, 'title'],
      [{ title: '', severity: 'SEV1' }, 'title'],
      [{ title: 'x', severity: 'SEV5' }, 'severity'],
      [{ title: 'x', severity: 'critical' }, 'severity'],
      [{ title: 'x' }, 'severity'],
      [{ severity: 'SEV1' }, 'title'],
      [{ title: 42, severity: 'SEV1' }, 'title'],
      [{ title: ['x'], severity: 'SEV1' }, 'title'],
      [{ title: 'x', severity: 'SEV1', commander: 'two words' }, 'commander'],
      [{ title: 'x', severity: 'SEV1', status: 'resolved' }, 'status'],
      [{}, 'title'],
    ];
    for (const [body, field] of bad) {
      const res = await call(url, 'POST', '/api/v1/incidents', { token: alice, body });
      expect([JSON.stringify(body).slice(0, 60), res.status]).toEqual([JSON.stringify(body).slice(0, 60), 400]);
      expect(res.body.details.map((d: any) => d.path)).toContain(field);
    }
    const empty = await call(url, 'POST', '/api/v1/incidents', { token: alice, raw: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const inc = await declare(url, {}, alice);
    const role = await call(url, 'PUT', `/api/v1/incidents/${inc.id}/roles/janitor`, { token: alice, body: { assignee: 'x' } });
    expect(role.status).toBe(400);
    expect(role.body.details[0].path).toBe('role');
    expect((await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { token: alice, body: {} })).body.details[0].path).toBe('text');
    expect((await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, { token: alice, body: { text: 'x', pinned: 'yes' } })).body.details[0].path).toBe('pinned');

    // Valid JSON that PostgreSQL cannot store: a clear 400, not a 500.
    const surrogate = await call(url, 'POST', '/api/v1/incidents', {
      token: alice,
      raw: '{"title":"db \\ud800 down","severity":"SEV1"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.details[0].path).toBe('title');
    const nul = await call(url, 'POST', `/api/v1/incidents/${inc.id}/notes`, {
      token: alice,
      raw: '{"text":"a\\u0000b"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.details[0].path).toBe('text');

    const hostile = `Robert'); DROP TABLE incidents;-- 🔥 ünïcödé <script>alert(1)</script> \u202e`;
    const stored = await declare(url, { title: hostile.slice(0, 200), summary: hostile }, alice);
    const back = await call(url, 'GET', `/api/v1/incidents/${stored.id}`);
    expect(back.body.title).toBe(hostile.slice(0, 200).trim());
    expect(back.body.summary).toBe(hostile.trim());
    expect((await db.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0].n).toBeGreaterThan(0);
  });

  it('records stakeholder status updates on the timeline, with the time of the last one and the allowed moves on the incident', async () => {
    const inc = await declare(url, { title: 'Search degraded', severity: 'SEV2' }, alice);
    expect(inc).toMatchObject({ allowedTransitions: ['acknowledge', 'mitigate', 'resolve'], chat: null, lastStatusUpdateAt: null });

    const update = await call(url, 'POST', `/api/v1/incidents/${inc.id}/updates`, {
      token: bob,
      body: { text: 'Search is degraded in eu-west; reindex running. Next update in 30 minutes.' },
    });
    expect(update.status).toBe(201);
    expect(update.body).toMatchObject({
      seq: 2,
      incidentId: inc.id,
      type: 'incident.status_update',
      actor: 'bob',
      data: { text: 'Search is degraded in eu-west; reindex running. Next update in 30 minutes.' },
      summary: 'Status update: Search is degraded in eu-west; reindex running. Next update in 30 minutes.',
      kind: 'status_update',
    });
    const read = await call(url, 'GET', `/api/v1/incidents/${inc.id}`, { token: viewer });
    expect(read.body.lastStatusUpdateAt).toBe(update.body.occurredAt);

    const resolved = await call(url, 'POST', `/api/v1/incidents/${inc.id}/resolve`, { token: alice, body: {} });
    expect(resolved.body.allowedTransitions).toEqual(['reopen']);

    const empty = await call(url, 'POST', `/api/v1/incidents/${inc.id}/updates`, { token: bob, body: { text: '' } });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('text');
    const unknown = await call(url, 'POST', '/api/v1/incidents/00000000-0000-4000-8000-000000000000/updates', { token: bob, body: { text: 'x' } });
    expect(unknown.status).toBe(404);
    const asViewer = await call(url, 'POST', `/api/v1/incidents/${inc.id}/updates`, { token: viewer, body: { text: 'x' } });
    expect(asViewer.status).toBe(403);
    expect((await events(inc.id)).map((e) => e.type)).toEqual(['incident.declared', 'incident.status_update', 'incident.resolved']);
  });
});
