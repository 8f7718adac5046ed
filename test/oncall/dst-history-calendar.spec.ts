import * as ical from 'node-ical';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { tokenFor } from '../incidents/support';
import { createSchedule, putResponders, shifts } from './support';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('on-call: DST, history and the calendar feed over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('oncall_dst');
    instance = await startApp(databaseUrl);
    url = instance.url;
    await putResponders(url);
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  const daily = (timeZone: string, start: string, rotation = 'P1D') => ({
    name: `${timeZone} ${start} ${rotation}`,
    timeZone,
    layers: [{ name: 'primary', members: ['alice', 'bob'], start, rotation }],
  });

  describe('DST both ways', () => {
    it.each([
      {
        name: 'New York spring-forward: a daily 09:00 turn lasts 23 hours',
        schedule: daily('America/New_York', '2027-03-13T09:00'),
        from: '2027-03-13T14:00:00Z',
        to: '2027-03-15T13:00:00Z',
        expected: [
          'alice 2027-03-13T14:00Z→2027-03-14T13:00Z primary',
          'bob 2027-03-14T13:00Z→2027-03-15T13:00Z primary',
        ],
      },
      {
        name: 'New York fall-back: a daily 09:00 turn lasts 25 hours',
        schedule: daily('America/New_York', '2027-11-06T09:00'),
        from: '2027-11-06T13:00:00Z',
        to: '2027-11-08T14:00:00Z',
        expected: [
          'alice 2027-11-06T13:00Z→2027-11-07T14:00Z primary',
          'bob 2027-11-07T14:00Z→2027-11-08T14:00Z primary',
        ],
      },
      {
        name: 'New York spring-forward: a 02:30 handoff happens at 03:00 EDT, the first valid instant after',
        schedule: daily('America/New_York', '2027-03-13T02:30'),
        from: '2027-03-13T07:30:00Z',
        to: '2027-03-15T06:30:00Z',
        expected: [
          'alice 2027-03-13T07:30Z→2027-03-14T07:00Z primary',
          'bob 2027-03-14T07:00Z→2027-03-15T06:30Z primary',
        ],
      },
      {
        name: 'New York: PT12H turns are 12 elapsed hours across the spring-forward',
        schedule: daily('America/New_York', '2027-03-13T20:00', 'PT12H'),
        from: '2027-03-14T01:00:00Z',
        to: '2027-03-15T01:00:00Z',
        expected: [
          'alice 2027-03-14T01:00Z→2027-03-14T13:00Z primary',
          'bob 2027-03-14T13:00Z→2027-03-15T01:00Z primary',
        ],
      },
      {
        name: 'Berlin spring-forward: Monday 10:00 to Monday 10:00 is 167 hours',
        schedule: daily('Europe/Berlin', '2027-03-22T10:00', 'P1W'),
        from: '2027-03-22T09:00:00Z',
        to: '2027-04-05T08:00:00Z',
        expected: [
          'alice 2027-03-22T09:00Z→2027-03-29T08:00Z primary',
          'bob 2027-03-29T08:00Z→2027-04-05T08:00Z primary',
        ],
      },
      {
        name: 'Berlin fall-back: a 02:30 handoff that happens twice takes the first (CEST)',
        schedule: daily('Europe/Berlin', '2027-10-30T02:30'),
        from: '2027-10-30T00:30:00Z',
        to: '2027-11-01T01:30:00Z',
        expected: [
          'alice 2027-10-30T00:30Z→2027-10-31T00:30Z primary',
          'bob 2027-10-31T00:30Z→2027-11-01T01:30Z primary',
        ],
      },
    ])('$name', async ({ schedule, from, to, expected }) => {
      const created = await createSchedule(url, schedule);
      expect(await shifts(url, created.id, from, to)).toEqual(expected);
    });

    it('restriction windows follow local time across the change (New York 09:00–17:00)', async () => {
      const created = await createSchedule(url, {
        name: 'NY business hours',
        timeZone: 'America/New_York',
        layers: [
          {
            name: 'day',
            members: ['carol'],
            start: '2027-03-01T00:00',
            rotation: 'P1W',
            restrictions: [{ days: ['fri', 'mon'], from: '09:00', to: '17:00' }],
          },
        ],
      });
      expect(await shifts(url, created.id, '2027-03-12T00:00:00Z', '2027-03-16T00:00:00Z')).toEqual([
        'carol 2027-03-12T14:00Z→2027-03-12T22:00Z day',
        'carol 2027-03-15T13:00Z→2027-03-15T21:00Z day',
      ]);
    });
  });

  describe('history: an edit takes effect from now', () => {
    it('answers a past instant with the schedule as it was then, and the future with the edit', async () => {
      const schedule = await createSchedule(url, daily('UTC', '2026-11-02T00:00'));
      const lastTuesday = new Date(Date.now() - 7 * DAY);
      lastTuesday.setUTCHours(3, 21, 0, 0);
      const at = (instant: Date) =>
        call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=${instant.toISOString()}`);
      const before = (await at(lastTuesday)).body;
      expect(['alice', 'bob']).toContain(before.handle);

      const editedAt = Date.now();
      const put = await call(url, 'PUT', `/api/v1/schedules/${schedule.id}`, {
        body: {
          ...daily('UTC', '2026-11-02T00:00'),
          layers: [{ name: 'primary', members: ['carol'], start: '2026-11-02T00:00', rotation: 'P1D' }],
        },
        headers: { 'if-match': '"1"' },
      });
      expect(put.status).toBe(200);
      const afterEdit = Date.now();

      expect((await at(lastTuesday)).body).toEqual(before);
      expect((await at(new Date(afterEdit + HOUR))).body.handle).toBe('carol');
      expect((await at(new Date(afterEdit + 30 * DAY))).body.handle).toBe('carol');

      const range = (
        await call(
          url,
          'GET',
          `/api/v1/schedules/${schedule.id}/shifts?from=${new Date(editedAt - 2 * DAY).toISOString()}&to=${new Date(afterEdit + 2 * DAY).toISOString()}`,
        )
      ).body.items;
      const last = range[range.length - 1];
      expect(last.handle).toBe('carol');
      expect(Date.parse(last.start)).toBeGreaterThanOrEqual(editedAt);
      expect(Date.parse(last.start)).toBeLessThanOrEqual(afterEdit);
      expect(range.slice(0, -1).every((s: any) => s.handle === 'alice' || s.handle === 'bob')).toBe(true);
      expect(range.length).toBeGreaterThanOrEqual(3);

      // The versions are the audit trail: what it said, from when, by whom.
      const versions = await call(url, 'GET', `/api/v1/schedules/${schedule.id}/versions?limit=1`);
      expect(versions.status).toBe(200);
      expect(versions.body.items).toHaveLength(1);
      expect(versions.body.items[0]).toMatchObject({ version: 2, layers: [{ members: ['carol'] }] });
      expect(Date.parse(versions.body.items[0].validFrom)).toBeGreaterThanOrEqual(editedAt);
      expect(Date.parse(versions.body.items[0].validFrom)).toBeLessThanOrEqual(afterEdit);
      const older = await call(
        url,
        'GET',
        `/api/v1/schedules/${schedule.id}/versions?limit=1&cursor=${versions.body.nextCursor}`,
      );
      expect(older.body.items).toEqual([
        expect.objectContaining({
          version: 1,
          validFrom: null,
          layers: [expect.objectContaining({ members: ['alice', 'bob'] })],
        }),
      ]);
      expect(older.body.nextCursor).toBeNull();
      expect(typeof older.body.items[0].actor).toBe('string');
    });

    it('an override made now does not rewrite the past it names', async () => {
      const schedule = await createSchedule(url, { ...daily('UTC', '2026-11-02T00:00'), name: 'Override history' });
      const yesterday = new Date(Date.now() - DAY);
      const before = (await call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=${yesterday.toISOString()}`))
        .body;
      const made = Date.now();
      const override = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/overrides`, {
        body: {
          handle: 'erin',
          start: new Date(made - 2 * DAY).toISOString(),
          end: new Date(made + DAY).toISOString(),
        },
      });
      expect(override.status).toBe(201);
      expect(
        (await call(url, 'GET', `/api/v1/schedules/${schedule.id}/on-call?at=${yesterday.toISOString()}`)).body,
      ).toEqual(before);
      const soon = (
        await call(
          url,
          'GET',
          `/api/v1/schedules/${schedule.id}/on-call?at=${new Date(Date.now() + HOUR).toISOString()}`,
        )
      ).body;
      expect(soon.handle).toBe('erin');
      expect(soon.shift.source).toBe('override');
      expect(Date.parse(soon.shift.start)).toBeGreaterThanOrEqual(made);

      expect((await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}/overrides/${override.body.id}`)).status).toBe(
        204,
      );
      const stillSoon = (
        await call(
          url,
          'GET',
          `/api/v1/schedules/${schedule.id}/on-call?at=${new Date(Date.now() + HOUR).toISOString()}`,
        )
      ).body;
      expect(stillSoon.handle).not.toBe('erin');
    });
  });

  describe('the iCalendar feed', () => {
    it('is an unguessable URL serving the next 60 days as text/calendar with stable UIDs, revoked by a new one', async () => {
      const schedule = await createSchedule(url, { ...daily('Europe/Berlin', '2026-11-02T09:00'), name: 'Feed' });
      const responder = await tokenFor(url, 'rosa', 'responder');
      expect((await call(url, 'POST', `/api/v1/schedules/${schedule.id}/calendar`, { token: responder })).status).toBe(
        403,
      );

      const issued = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/calendar`);
      expect(issued.status).toBe(201);
      const feedUrl = new URL(issued.body.url);
      expect(issued.body.url.startsWith(instance.config.publicUrl)).toBe(true);
      const token = /\/api\/v1\/calendars\/([A-Za-z0-9_-]+)\.ics$/.exec(feedUrl.pathname)?.[1];
      expect(token && Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

      const fetched = await call(url, 'GET', feedUrl.pathname, { token: null });
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toMatch(/^text\/calendar/);
      const events = Object.values(ical.sync.parseICS(fetched.text)).filter(
        (c): c is ical.VEvent => c?.type === 'VEVENT',
      );
      const now = Date.now();
      expect(events.length).toBeGreaterThanOrEqual(60);
      expect(events.length).toBeLessThanOrEqual(62);
      expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
      const sorted = [...events].sort((a, b) => a.start.getTime() - b.start.getTime());
      expect(sorted[0].start.getTime()).toBeLessThanOrEqual(now);
      expect(sorted[0].end!.getTime()).toBeGreaterThan(now);
      expect(sorted[sorted.length - 1].end!.getTime()).toBeLessThanOrEqual(now + 60 * DAY + 60_000);
      for (const event of sorted.slice(1, -1)) {
        expect(event.end!.getTime() - event.start.getTime()).toBeGreaterThanOrEqual(23 * HOUR);
        expect(String(event.summary)).toMatch(/^On call: (alice|bob) \(Feed\)$/);
      }
      // Every event is a shift of the API's final schedule.
      const apiShifts = (
        await call(
          url,
          'GET',
          `/api/v1/schedules/${schedule.id}/shifts?from=${sorted[0].start.toISOString()}&to=${sorted[sorted.length - 1].end!.toISOString()}`,
        )
      ).body.items;
      expect(sorted.map((e) => [String(e.summary).split(' ')[2], e.start.toISOString(), e.end!.toISOString()])).toEqual(
        apiShifts.map((s: any) => [s.handle, s.start, s.end]),
      );

      const again = await call(url, 'GET', feedUrl.pathname, { token: null });
      const uidsAgain = new Map(
        Object.values(ical.sync.parseICS(again.text))
          .filter((c): c is ical.VEvent => c?.type === 'VEVENT')
          .map((e) => [e.start.toISOString(), e.uid]),
      );
      for (const event of sorted) expect(uidsAgain.get(event.start.toISOString())).toBe(event.uid);

      const reissued = await call(url, 'POST', `/api/v1/schedules/${schedule.id}/calendar`);
      expect(reissued.status).toBe(201);
      expect(reissued.body.url).not.toBe(issued.body.url);
      const revoked = await call(url, 'GET', feedUrl.pathname, { token: null });
      expect(revoked.status).toBe(404);
      expect((await call(url, 'GET', new URL(reissued.body.url).pathname, { token: null })).status).toBe(200);
      expect((await call(url, 'GET', `/api/v1/calendars/${'A'.repeat(43)}.ics`, { token: null })).status).toBe(404);
      expect((await call(url, 'GET', '/api/v1/calendars/..%2F..%2Fetc.ics', { token: null })).status).toBe(404);

      expect((await call(url, 'DELETE', `/api/v1/schedules/${schedule.id}`)).status).toBe(204);
      expect((await call(url, 'GET', new URL(reissued.body.url).pathname, { token: null })).status).toBe(404);
    });

    it('a feed of an unknown schedule is a 404', async () => {
      const res = await call(url, 'POST', '/api/v1/schedules/00000000-0000-4000-8000-000000000000/calendar');
      expect(res.status).toBe(404);
    });
  });
});
