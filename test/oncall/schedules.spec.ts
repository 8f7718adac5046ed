import { OnCallDirectory, ScheduleUsage } from '../../src/oncall';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { tokenFor } from '../incidents/support';
import { createSchedule, putResponders, shifts, WORKED_EXAMPLE } from './support';

describe('on-call schedules over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let viewer: string;
  let responder: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('oncall');
    instance = await startApp(databaseUrl);
    url = instance.url;
    await putResponders(url);
    viewer = await tokenFor(url, 'vera', 'viewer');
    responder = await tokenFor(url, 'rita', 'responder');
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  describe('schedules: create, read, replace, delete', () => {
    it('creates a schedule (admin) and reads it back with its ETag', async () => {
      const created = await call(url, 'POST', '/api/v1/schedules', { body: WORKED_EXAMPLE });
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(created.body).toMatchObject({ ...WORKED_EXAMPLE, notifyShiftStart: false, version: 1 });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(created.body.createdAt)).not.toBeNaN();
      expect(created.body.updatedAt).toBe(created.body.createdAt);

      const read = await call(url, 'GET', `/api/v1/schedules/${created.body.id}`, { token: viewer });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe('"1"');
      expect(read.body).toEqual(created.body);

      const list = await call(url, 'GET', '/api/v1/schedules', { token: viewer });
      expect(list.status).toBe(200);
      expect(list.body.items.map((s: any) => s.id)).toContain(created.body.id);
      expect(list.body).toHaveProperty('nextCursor');
    });

    it('needs admin to create, replace or delete; viewer reads; no token is a 401', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Roles' });
      expect((await call(url, 'POST', '/api/v1/schedules', { token: responder, body: WORKED_EXAMPLE })).status).toBe(
        403,
      );
      expect(
        (await call(url, 'PUT', `/api/v1/schedules/${schedule.id}`, { token: responder, body: WORKED_EXAMPLE })).status,
      ).toBe(403);
      expect((await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`, { token: viewer })).status).toBe(403);
      expect((await call(url, 'GET', `/api/v1/schedules/${schedule.id}`, { token: null })).status).toBe(401);
      expect((await call(url, 'GET', `/api/v1/schedules/${schedule.id}/shifts`, { token: viewer })).status).toBe(200);
    });

    it('replaces with If-Match: a stale version is a 412 and changes nothing', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Replace me' });
      const edited = { ...WORKED_EXAMPLE, name: 'Replaced', notifyShiftStart: true };
      const ok = await call(url, 'PUT', `/api/v1/schedules/${schedule.id}`, {
        body: edited,
        headers: { 'if-match': '"1"' },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe('"2"');
      expect(ok.body).toMatchObject({
        name: 'Replaced',
        notifyShiftStart: true,
        version: 2,
        createdAt: schedule.createdAt,
      });

      const stale = await call(url, 'PUT', `/api/v1/schedules/${schedule.id}`, {
        body: WORKED_EXAMPLE,
        headers: { 'if-match': '"1"' },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('VERSION_MISMATCH');
      expect((await call(url, 'GET', `/api/v1/schedules/${schedule.id}`)).body).toMatchObject({
        name: 'Replaced',
        version: 2,
      });

      const staleDelete = await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`, {
        headers: { 'if-match': '"1"' },
      });
      expect(staleDelete.status).toBe(412);
    });

    it('deletes (204, then 404); unknown ids are 404', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Delete me' });
      expect(
        (await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`, { headers: { 'if-match': '"1"' } })).status,
      ).toBe(204);
      for (const path of ['', '/shifts', '/on-call', '/overrides']) {
        const res = await call(url, 'GET', `/api/v1/schedules/${schedule.id}${path}`);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('SCHEDULE_NOT_FOUND');
      }
      expect((await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`)).status).toBe(404);
      expect((await call(url, 'GET', '/api/v1/schedules/not-a-uuid')).status).toBe(404);
      expect(
        (await call(url, 'PUT', '/api/v1/schedules/00000000-0000-4000-8000-000000000000', { body: WORKED_EXAMPLE }))
          .status,
      ).toBe(404);
    });

    it('refuses to delete a schedule another module uses: 409 SCHEDULE_IN_USE', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'In use' });
      instance.app
        .get(ScheduleUsage)
        .register('test policies', async (scheduleId) =>
          scheduleId === schedule.id ? ['escalation policy Checkout'] : [],
        );
      const res = await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('SCHEDULE_IN_USE');
      expect(res.body.message).toContain('escalation policy Checkout');
      expect((await call(url, 'GET', `/api/v1/schedules/${schedule.id}`)).status).toBe(200);
    });

    it('pages the list by name with a cursor', async () => {
      const names = ['Page A', 'Page B', 'Page C'];
      for (const name of names) await createSchedule(url, { ...WORKED_EXAMPLE, name });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await call(url, 'GET', `/api/v1/schedules?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((s: any) => s.name));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toEqual(expect.arrayContaining(names));
      expect(new Set(seen).size).toBe(seen.length);
      expect((await call(url, 'GET', '/api/v1/schedules?cursor=nope')).status).toBe(400);
    });
  });

  describe('bad input is a 400 naming the field, and nothing is written', () => {
    const layer = WORKED_EXAMPLE.layers[0];
    const withLayer = (patch: Record<string, unknown>) => ({ ...WORKED_EXAMPLE, layers: [{ ...layer, ...patch }] });
    it.each([
      ['unknown zone', 'timeZone', { ...WORKED_EXAMPLE, timeZone: 'Europe/Atlantis' }],
      ['bad duration', 'layers[0].rotation', withLayer({ rotation: 'one week' })],
      ['a month is not a turn', 'layers[0].rotation', withLayer({ rotation: 'P1M' })],
      ['start with an offset', 'layers[0].start', withLayer({ start: '2027-01-04T09:00:00+01:00' })],
      ['start without a time', 'layers[0].start', withLayer({ start: '2027-01-04' })],
      ['start on a day that does not exist', 'layers[0].start', withLayer({ start: '2027-02-29T09:00' })],
      ['empty members', 'layers[0].members', withLayer({ members: [] })],
      ['a member who is not a responder', 'layers[0].members[1]', withLayer({ members: ['alice', 'zed'] })],
      [
        'a bad day name',
        'layers[0].restrictions[0].days[1]',
        withLayer({ restrictions: [{ days: ['mon', 'funday'], from: '09:00', to: '17:00' }] }),
      ],
      [
        'from not HH:MM',
        'layers[0].restrictions[0].from',
        withLayer({ restrictions: [{ days: ['mon'], from: '9am', to: '17:00' }] }),
      ],
      [
        'to not HH:MM',
        'layers[0].restrictions[0].to',
        withLayer({ restrictions: [{ days: ['mon'], from: '09:00', to: '17:60' }] }),
      ],
      ['no layers', 'layers', { ...WORKED_EXAMPLE, layers: [] }],
      ['no name', 'name', { timeZone: 'UTC', layers: WORKED_EXAMPLE.layers }],
      ['members not a list', 'layers[0].members', withLayer({ members: 'alice' })],
      ['an unknown field', 'owner', { ...WORKED_EXAMPLE, owner: 'alice' }],
      ['an unknown layer field', 'layers[0].colour', withLayer({ colour: 'red' })],
      ['NUL in a name', 'name', { ...WORKED_EXAMPLE, name: 'bad\u0000name' }],
    ])('%s → %s', async (_, path, body) => {
      const before = (await call(url, 'GET', '/api/v1/schedules?limit=200')).body.items.length;
      const created = await call(url, 'POST', '/api/v1/schedules', { body });
      expect(created.status).toBe(400);
      expect(created.body.details.map((d: any) => d.path)).toContain(path);
      const existing = await createSchedule(url, { ...WORKED_EXAMPLE, name: `Target of ${path}` });
      const replaced = await call(url, 'PUT', `/api/v1/schedules/${existing.id}`, { body });
      expect(replaced.status).toBe(400);
      expect(replaced.body.details.map((d: any) => d.path)).toContain(path);
      expect((await call(url, 'GET', `/api/v1/schedules/${existing.id}`)).body).toEqual(existing);
      expect((await call(url, 'GET', '/api/v1/schedules?limit=200')).body.items.length).toBe(before + 1);
    });

    it.each([
      ['from=yesterday&to=2027-01-02T00:00:00Z', 'from'],
      ['from=2027-01-01T00:00:00Z&to=2027-01-02', 'to'],
      ['from=2027-01-01T00:00:00Z&to=2027-04-04T00:00:01Z', 'to'],
      ['from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z', 'to'],
    ])('shifts?%s → 400 on %s', async (query, path) => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Ranges' });
      const res = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/shifts?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe(path);
    });

    it('accepts exactly 93 days, and an at that is not RFC 3339 is a 400', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: '93 days' });
      const ok = await call(
        url,
        'GET',
        `/api/v1/schedules/${schedule.id}/shifts?from=2027-01-01T00:00:00Z&to=2027-04-04T00:00:00Z`,
      );
      expect(ok.status).toBe(200);
      const bad = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=03:21`);
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].path).toBe('at');
    });
  });

  describe('the final schedule: shifts, on call at an instant, overrides', () => {
    it('resolves the worked example: the secondary wins weekday daytime, an override wins over both', async () => {
      const schedule = await createSchedule(url, WORKED_EXAMPLE);
      const override = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, {
        token: responder,
        body: { handle: 'carol', start: '2027-01-05T18:00:00+01:00', end: '2027-01-06T08:00:00+01:00' },
      });
      expect(override.status).toBe(201);
      expect(override.body).toMatchObject({
        handle: 'carol',
        start: '2027-01-05T17:00:00.000Z',
        end: '2027-01-06T07:00:00.000Z',
        createdBy: 'rita',
      });
      expect(await shifts(url, schedule.id, '2027-01-04T08:00:00Z', '2027-01-07T08:00:00Z')).toEqual([
        'dave 2027-01-04T08:00Z→2027-01-04T16:00Z secondary',
        'alice 2027-01-04T16:00Z→2027-01-05T08:00Z primary',
        'erin 2027-01-05T08:00Z→2027-01-05T16:00Z secondary',
        'alice 2027-01-05T16:00Z→2027-01-05T17:00Z primary',
        'carol 2027-01-05T17:00Z→2027-01-06T07:00Z override',
        'alice 2027-01-06T07:00Z→2027-01-06T08:00Z primary',
        'dave 2027-01-06T08:00Z→2027-01-06T16:00Z secondary',
        'alice 2027-01-06T16:00Z→2027-01-07T08:00Z primary',
      ]);
      // Before the first handoff nobody is on call; the range is clipped; gaps are left out.
      expect(await shifts(url, schedule.id, '2027-01-04T06:00:00Z', '2027-01-04T09:00:00Z')).toEqual([
        'dave 2027-01-04T08:00Z→2027-01-04T09:00Z secondary',
      ]);

      const at = await call(
        url,
        'GET',
        `/api/v1/schedules/${schedule.id}/on-call?at=${encodeURIComponent('2027-01-06T03:21:00+01:00')}`,
      );
      expect(at.status).toBe(200);
      expect(at.body).toEqual({
        at: '2027-01-06T02:21:00.000Z',
        handle: 'carol',
        shift: { start: '2027-01-05T17:00:00.000Z', end: '2027-01-06T07:00:00.000Z', source: 'override' },
      });
      const weekend = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=2027-01-09T12:00:00Z`);
      expect(weekend.body).toMatchObject({
        handle: 'alice',
        shift: { start: '2027-01-08T16:00:00.000Z', end: '2027-01-11T08:00:00.000Z', source: 'primary' },
      });
      const gap = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=2027-01-01T12:00:00Z`);
      expect(gap.body).toEqual({ at: '2027-01-01T12:00:00.000Z', handle: null, shift: null });

      // The port paging uses answers the same.
      const directory = instance.app.get(OnCallDirectory);
      expect(await directory.whoIsOnCall(schedule.id, new Date('2027-01-06T02:21:00Z'))).toBe('carol');
      expect(await directory.whoIsOnCall(schedule.id, new Date('2027-01-06T09:00:00Z'))).toBe('dave');
      expect(await directory.whoIsOnCall(schedule.id, new Date('2027-01-01T12:00:00Z'))).toBeNull();
      expect(await directory.whoIsOnCall('00000000-0000-4000-8000-000000000000', new Date())).toBeNull();
      expect(await directory.schedule(schedule.id)).toEqual({ id: schedule.id, name: 'Platform' });
      expect(await directory.schedulesNaming('erin')).toEqual(
        expect.arrayContaining([{ id: schedule.id, name: 'Platform' }]),
      );
    });

    it('the newest override wins where two overlap; deleting one ends it; a deleted one is 404', async () => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Overrides' });
      const post = (handle: string, start: string, end: string) =>
        call(url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, {
          token: responder,
          body: { handle, start, end },
        });
      const wide = await post('bob', '2027-01-09T00:00:00Z', '2027-01-10T00:00:00Z');
      const narrow = await post('erin', '2027-01-09T06:00:00Z', '2027-01-09T12:00:00Z');
      const wider = await post('dave', '2027-01-09T10:00:00Z', '2027-01-09T14:00:00Z');
      expect([wide.status, narrow.status, wider.status]).toEqual([201, 201, 201]);
      expect(await shifts(url, schedule.id, '2027-01-09T00:00:00Z', '2027-01-10T00:00:00Z')).toEqual([
        'bob 2027-01-09T00:00Z→2027-01-09T06:00Z override',
        'erin 2027-01-09T06:00Z→2027-01-09T10:00Z override',
        'dave 2027-01-09T10:00Z→2027-01-09T14:00Z override',
        'bob 2027-01-09T14:00Z→2027-01-10T00:00Z override',
      ]);

      const listed = await call(
        url,
        'GET',
        `/api/v1/schedules/${schedule.id}/overrides?from=2027-01-09T11:00:00Z&to=2027-01-09T13:00:00Z`,
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((o: any) => o.handle)).toEqual(['bob', 'erin', 'dave']);
      const outside = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/overrides?from=2027-01-09T13:00:00Z`);
      expect(outside.body.items.map((o: any) => o.handle)).toEqual(['bob', 'dave']);

      expect(
        (await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}/overrides/${wider.body.id}`, { token: responder }))
          .status,
      ).toBe(204);
      expect(await shifts(url, schedule.id, '2027-01-09T00:00:00Z', '2027-01-10T00:00:00Z')).toEqual([
        'bob 2027-01-09T00:00Z→2027-01-09T06:00Z override',
        'erin 2027-01-09T06:00Z→2027-01-09T12:00Z override',
        'bob 2027-01-09T12:00Z→2027-01-10T00:00Z override',
      ]);
      const again = await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}/overrides/${wider.body.id}`, {
        token: responder,
      });
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('OVERRIDE_NOT_FOUND');
      expect(
        (await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}/overrides/${wide.body.id}`, { token: viewer }))
          .status,
      ).toBe(403);
    });

    it.each([
      [{ handle: 'zed', start: '2027-01-09T00:00:00Z', end: '2027-01-10T00:00:00Z' }, 'handle'],
      [{ handle: 'bob', start: '2027-01-09 00:00', end: '2027-01-10T00:00:00Z' }, 'start'],
      [{ handle: 'bob', start: '2027-01-09T00:00:00Z', end: 'tomorrow' }, 'end'],
      [{ handle: 'bob', start: '2027-01-10T00:00:00Z', end: '2027-01-09T00:00:00Z' }, 'end'],
      [{ handle: 'bob', start: '2020-01-09T00:00:00Z', end: '2020-01-10T00:00:00Z' }, 'end'],
      [{ handle: 'bob', start: '2027-01-09T00:00:00Z' }, 'end'],
    ])('an override %j is a 400 naming %s, and nothing is written', async (body, path) => {
      const schedule = await createSchedule(url, { ...WORKED_EXAMPLE, name: 'Bad overrides' });
      const res = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, { token: responder, body });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: any) => d.path)).toContain(path);
      expect((await call(url, 'GET', `/api/v1/schedules/${schedule.id}/overrides`)).body.items).toEqual([]);
    });

    it('answers every schedule now at /api/v1/on-call', async () => {
      const always = await createSchedule(url, {
        name: 'Always erin',
        timeZone: 'UTC',
        layers: [{ name: 'only', members: ['erin'], start: '2020-01-01T00:00', rotation: 'P1W' }],
      });
      const never = await createSchedule(url, {
        name: 'Not yet',
        timeZone: 'UTC',
        layers: [{ name: 'later', members: ['bob'], start: '2099-01-01T00:00', rotation: 'P1D' }],
      });
      const res = await call(url, 'GET', '/api/v1/on-call', { token: viewer });
      expect(res.status).toBe(200);
      const byId = new Map(res.body.items.map((item: any) => [item.schedule.id, item]));
      expect(byId.get(always.id)).toMatchObject({ schedule: { id: always.id, name: 'Always erin' }, handle: 'erin' });
      expect(Date.parse((byId.get(always.id) as any).until)).toBeGreaterThan(Date.now() + 40 * 86_400_000);
      expect(byId.get(never.id)).toEqual({ schedule: { id: never.id, name: 'Not yet' }, handle: null, until: null });
      const list = (await call(url, 'GET', '/api/v1/schedules?limit=200')).body.items;
      expect(res.body.items).toHaveLength(list.length);
    });
  });
});
