import { call } from '../support/app';

export const HANDLES = ['alice', 'bob', 'carol', 'dave', 'erin'];

/** Puts the responders every on-call test names. */
export async function putResponders(url: string, handles = HANDLES): Promise<void> {
  for (const handle of handles) {
    const res = await call(url, 'PUT', `/api/v1/responders/${handle}`, {
      body: { name: handle[0].toUpperCase() + handle.slice(1), email: `${handle}@example.com` },
    });
    if (res.status !== 200) throw new Error(`responder ${handle}: ${res.status} ${res.text}`);
  }
}

export async function createSchedule(url: string, body: unknown): Promise<any> {
  const res = await call(url, 'POST', '/api/v1/schedules', { body });
  if (res.status !== 201) throw new Error(`schedule: ${res.status} ${res.text}`);
  return res.body;
}

export async function shifts(url: string, id: string, from: string, to: string): Promise<string[]> {
  const res = await call(
    url,
    'GET',
    `/api/v1/schedules/${id}/shifts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  if (res.status !== 200) throw new Error(`shifts: ${res.status} ${res.text}`);
  return (res.body.items as Array<{ handle: string; start: string; end: string; source: string }>).map(
    (s) => `${s.handle} ${s.start.replace(':00.000Z', 'Z')}→${s.end.replace(':00.000Z', 'Z')} ${s.source}`,
  );
}

/** The worked example of docs/oncall.md: a weekly primary, a weekday daytime secondary, and (separately) an override. */
export const WORKED_EXAMPLE = {
  name: 'Platform',
  timeZone: 'Europe/Berlin',
  layers: [
    { name: 'primary', members: ['alice', 'bob', 'carol'], start: '2027-01-04T09:00', rotation: 'P1W' },
    {
      name: 'secondary',
      members: ['dave', 'erin'],
      start: '2027-01-04T09:00',
      rotation: 'P1D',
      restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
    },
  ],
};
