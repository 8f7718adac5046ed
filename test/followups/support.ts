import { call } from '../support/app';

/** The security meeting's people: some on Slack, some only on email, one with neither. */
export const PEOPLE: Record<string, { name: string; email?: string; slackUserId?: string }> = {
  alice: { name: 'Alice (security)', email: 'alice@example.com', slackUserId: 'UALICE1' },
  bob: { name: 'Bob (platform)', email: 'bob@example.com' },
  carol: { name: 'Carol (payments)', slackUserId: 'UCAROL1' },
  dave: { name: 'Dave (data)', email: 'dave@example.com' },
  erin: { name: 'Erin (comms)', email: 'erin@example.com', slackUserId: 'UERIN01' },
};

export async function putPeople(url: string): Promise<void> {
  for (const [handle, body] of Object.entries(PEOPLE)) {
    const res = await call(url, 'PUT', `/api/v1/responders/${handle}`, { body });
    if (res.status !== 200) throw new Error(`responder ${handle}: ${res.status} ${res.text}`);
  }
}

/** A calendar date `days` from today (UTC). */
export function utcDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export async function declare(url: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await call(url, 'POST', '/api/v1/incidents', {
    body: { title: 'Checkout 5xx above 5%', severity: 'SEV2', service: 'checkout', ...body },
  });
  if (res.status !== 201) throw new Error(`declare: ${res.status} ${res.text}`);
  return res.body;
}

export async function addItem(url: string, body: Record<string, unknown>): Promise<any> {
  const res = await call(url, 'POST', '/api/v1/action-items', { body });
  if (res.status !== 201) throw new Error(`add item: ${res.status} ${res.text}`);
  return res.body;
}
