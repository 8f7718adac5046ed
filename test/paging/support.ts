import { Client } from 'pg';
import { call, startApp, TestApp } from '../support/app';
import { eventually } from '../support/database';
import { TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, TwilioStub } from './twilio-stub';

export const PUBLIC_URL = 'https://sitrep.example.test';

/** A Sitrep instance wired to the Twilio stub (and whatever else `env` adds), with fast retries and timers. */
export function startPagingApp(
  databaseUrl: string,
  twilio: TwilioStub,
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return startApp(databaseUrl, {
    PUBLIC_URL,
    NOTIFY_RETRY_BASE_MS: '50',
    TIMER_POLL_MS: '100',
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
    TWILIO_API_URL: twilio.url,
    ...env,
  });
}

export async function ok<T = any>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> {
  const res = await call(url, method, path, { body, headers });
  if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${res.text}`);
  return res.body as T;
}

export async function putResponder(url: string, handle: string, body: Record<string, unknown>): Promise<void> {
  await ok(url, 'PUT', `/api/v1/responders/${handle}`, { name: handle, ...body });
}

export async function createPolicy(url: string, body: Record<string, unknown>): Promise<any> {
  return ok(url, 'POST', '/api/v1/escalation-policies', body);
}

export async function declare(url: string, body: Record<string, unknown>): Promise<any> {
  return ok(url, 'POST', '/api/v1/incidents', { title: 'Search latency above 2 s', severity: 'SEV1', ...body });
}

export async function timeline(url: string, incidentId: string): Promise<any[]> {
  return (await ok(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?limit=1000`)).items;
}

export function entries(
  url: string,
  incidentId: string,
  match: (e: any) => boolean,
  count = 1,
  timeoutMs = 15_000,
): Promise<any[]> {
  return eventually(
    async () => {
      const found = (await timeline(url, incidentId)).filter(match);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, intervalMs: 50, message: `${count} matching timeline entries of ${incidentId}` },
  );
}

export async function entry(
  url: string,
  incidentId: string,
  match: (e: any) => boolean,
  timeoutMs = 15_000,
): Promise<any> {
  return (await entries(url, incidentId, match, 1, timeoutMs))[0];
}

/** The acknowledge token in a page message's text. */
export function ackToken(text: string): string {
  const m = /\/ack\/([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no acknowledge link in: ${text}`);
  return m[1];
}

/** Direct reads of paging's and the timers' tables (what a restart must find). */
export class PagingDb {
  private constructor(private readonly client: Client) {}

  static async connect(databaseUrl: string): Promise<PagingDb> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new PagingDb(client);
  }

  async page(incidentId: string): Promise<any> {
    const { rows } = await this.client.query(
      `SELECT * FROM pages WHERE incident_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [incidentId],
    );
    return rows[0];
  }

  async stepTimers(pageId: string): Promise<Array<{ key: string; fired: boolean }>> {
    const { rows } = await this.client.query(
      `SELECT * FROM timers WHERE kind = 'paging.step' AND key LIKE $1 ORDER BY key`,
      [`${pageId}:%`],
    );
    return rows.map((r: any) => ({ key: r.key, fired: r.fired_at !== null && r.fired_at !== undefined }));
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
