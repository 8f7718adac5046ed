import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { addItem, declare, putPeople, utcDay } from './support';

describe('action items across incidents and meetings (/api/v1/action-items)', () => {
  let databaseUrl: string;
  let app: TestApp;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('followups_items');
    app = await startApp(databaseUrl);
    await putPeople(app.url);
  });
  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('an incident item is the v1 item: on that timeline, in the v1 view, and listed at once', async () => {
    const incident = await declare(app.url);
    const item = await addItem(app.url, { title: 'Add a canary for checkout', owner: 'bob', dueDate: utcDay(3), incidentId: incident.id, tags: ['Checkout'] });
    expect(item).toMatchObject({ incidentId: incident.id, title: 'Add a canary for checkout', owner: 'bob', status: 'open', tags: ['checkout'], overdue: false });

    // Read-your-write: listed in the same breath, before any event could have been consumed.
    const listed = await call(app.url, 'GET', `/api/v1/action-items?incidentId=${incident.id}`);
    expect(listed.body.items.map((i: any) => i.id)).toEqual([item.id]);

    const timeline = await call(app.url, 'GET', `/api/v1/incidents/${incident.id}/timeline`);
    expect(timeline.body.items.filter((e: any) => e.type === 'action_item.added').map((e: any) => e.data.actionItemId)).toEqual([item.id]);

    const done = await call(app.url, 'PATCH', `/api/v1/action-items/${item.id}`, { body: { status: 'done' } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('done');
    const after = await call(app.url, 'GET', `/api/v1/incidents/${incident.id}/timeline`);
    expect(after.body.items.find((e: any) => e.type === 'action_item.updated')?.data).toEqual({ actionItemId: item.id, changes: { status: 'done' } });

    // An item added through the v1 endpoint joins the one list (through the event consumer).
    const v1 = await call(app.url, 'POST', `/api/v1/incidents/${incident.id}/action-items`, { body: { title: 'Write the postmortem', owner: 'alice' } });
    expect(v1.status).toBe(201);
    await eventually(async () => (await call(app.url, 'GET', `/api/v1/action-items?owner=alice`)).body.items.some((i: any) => i.id === v1.body.id), {
      message: 'the v1 item in the list',
    });
    // ...and a PATCH on the new endpoint shows through v1's postmortem/timeline as the same item.
    const renamed = await call(app.url, 'PATCH', `/api/v1/action-items/${v1.body.id}`, { body: { title: 'Write and review the postmortem', dueDate: utcDay(1) } });
    expect(renamed.status).toBe(200);
    const v1Patch = await call(app.url, 'PATCH', `/api/v1/incidents/${incident.id}/action-items/${v1.body.id}`, { body: { status: 'done' } });
    expect(v1Patch.body).toMatchObject({ title: 'Write and review the postmortem', dueDate: utcDay(1), status: 'done' });
    await eventually(async () => (await call(app.url, 'GET', `/api/v1/action-items?owner=alice&status=done`)).body.items.length === 1, {
      message: 'the v1 PATCH in the list',
    });
  });

  it('lists soonest due first with every filter, keyset-paginated', async () => {
    const tag = 'security-roundup-2026-12';
    const made = [
      await addItem(app.url, { title: 'Rotate the CI deploy key', owner: 'carol', dueDate: utcDay(-3), tags: [tag] }),
      await addItem(app.url, { title: 'Turn on MFA for the VPN', owner: 'dave', dueDate: utcDay(5), tags: [tag] }),
      await addItem(app.url, { title: 'Revoke stale IAM users', owner: 'carol', dueDate: utcDay(1), tags: [tag, 'iam'] }),
      await addItem(app.url, { title: 'Decide on a bug bounty', tags: [tag] }),
      await addItem(app.url, { title: 'Patch the bastion host', owner: 'dave', dueDate: utcDay(-1), tags: [tag] }),
    ];
    const byTag = await call(app.url, 'GET', `/api/v1/action-items?tag=${tag}`);
    expect(byTag.body.items.map((i: any) => i.title)).toEqual([
      'Rotate the CI deploy key',
      'Patch the bastion host',
      'Revoke stale IAM users',
      'Turn on MFA for the VPN',
      'Decide on a bug bounty',
    ]);
    expect(byTag.body.items.map((i: any) => i.overdue)).toEqual([true, true, false, false, false]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(app.url, 'GET', `/api/v1/action-items?tag=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((i: any) => i.title).join(' | '));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      'Rotate the CI deploy key | Patch the bastion host',
      'Revoke stale IAM users | Turn on MFA for the VPN',
      'Decide on a bug bounty',
    ]);

    const overdue = await call(app.url, 'GET', `/api/v1/action-items?overdue=true&tag=${tag}`);
    expect(overdue.body.items.map((i: any) => i.id)).toEqual([made[0].id, made[4].id]);
    const carol = await call(app.url, 'GET', `/api/v1/action-items?owner=carol&tag=iam`);
    expect(carol.body.items.map((i: any) => i.id)).toEqual([made[2].id]);

    // Done in place: no longer open, no longer overdue; If-Match guards the standalone item.
    const stale = await call(app.url, 'PATCH', `/api/v1/action-items/${made[0].id}`, { body: { status: 'done' }, headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(412);
    const done = await call(app.url, 'PATCH', `/api/v1/action-items/${made[0].id}`, { body: { status: 'done' }, headers: { 'if-match': `"${made[0].version}"` } });
    expect(done.body).toMatchObject({ status: 'done', overdue: false, version: made[0].version + 1 });
    const open = await call(app.url, 'GET', `/api/v1/action-items?status=open&tag=${tag}`);
    expect(open.body.items.map((i: any) => i.id)).not.toContain(made[0].id);
    const cleared = await call(app.url, 'PATCH', `/api/v1/action-items/${made[1].id}`, { body: { owner: null, dueDate: null, tags: ['vpn'] } });
    expect(cleared.body).toMatchObject({ owner: null, dueDate: null, tags: ['vpn'] });
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const bad = async (body: unknown, status: number, field: string | null) => {
      const res = await call(app.url, 'POST', '/api/v1/action-items', { body });
      expect({ body, status: res.status }).toEqual({ body, status });
      if (field) expect(JSON.stringify(res.body)).toContain(field);
      return res;
    };
    await bad({ title: '' }, 400, 'title');
    await bad({ title: '   ' }, 400, 'title');
    await bad({ title: 'x'.repeat(501) }, 400, 'title');
    await bad({ title: 'Fix it', owner: 'mallory' }, 400, 'owner');
    await bad({ title: 'Fix it', owner: 'two words' }, 400, 'owner');
    await bad({ title: 'Fix it', dueDate: 'next friday' }, 400, 'dueDate');
    await bad({ title: 'Fix it', dueDate: '2026-02-30' }, 400, 'dueDate');
    await bad({ title: 'Fix it', dueDate: '0000-01-01' }, 400, 'dueDate');
    await bad({ title: 'Fix it', tags: ['security roundup'] }, 400, 'tag');
    await bad({ title: 'Fix it', incidentId: 'not-an-id' }, 400, 'incidentId');
    const unknown = await bad({ title: 'Fix it', incidentId: '00000000-0000-4000-8000-000000000000' }, 404, null);
    expect(unknown.body.statusCode).toBe(404);
    expect((await call(app.url, 'PATCH', '/api/v1/action-items/00000000-0000-4000-8000-000000000000', { body: { status: 'done' } })).status).toBe(404);
    expect((await call(app.url, 'PATCH', '/api/v1/action-items/nope', { body: { status: 'done' } })).status).toBe(404);
    const item = await addItem(app.url, { title: 'Fine' });
    expect((await call(app.url, 'PATCH', `/api/v1/action-items/${item.id}`, { body: { owner: 'mallory' } })).status).toBe(400);
    expect((await call(app.url, 'PATCH', `/api/v1/action-items/${item.id}`, { body: { status: 'finished' } })).status).toBe(400);
    expect((await call(app.url, 'GET', '/api/v1/action-items?tag=two%20words')).status).toBe(400);
    expect((await call(app.url, 'GET', '/api/v1/action-items?overdue=maybe')).status).toBe(400);
    expect((await call(app.url, 'GET', '/api/v1/action-items?cursor=garbage')).status).toBe(400);
    expect((await call(app.url, 'GET', '/api/v1/action-items?limit=0')).status).toBe(400);
    expect((await call(app.url, 'POST', '/api/v1/action-items/reminders', { token: null })).status).toBe(401);
  });
});
