import { Client } from 'pg';
import { call, startApp, TestApp } from '../support/app';
import { eventually } from '../support/database';

export const PUBLIC_URL = 'https://sitrep.example.test';

/** A Sitrep instance with fast notification retries; callers add the Slack / SMTP settings. */
export function startNotifyingApp(databaseUrl: string, env: Record<string, string | undefined> = {}): Promise<TestApp> {
  return startApp(databaseUrl, { PUBLIC_URL, NOTIFY_RETRY_BASE_MS: '50', ...env });
}

export async function declare(url: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await call(url, 'POST', '/api/v1/incidents', {
    body: { title: 'Checkout 5xx above 5%', severity: 'SEV2', service: 'checkout', ...body },
  });
  if (res.status !== 201) throw new Error(`declare failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function command(url: string, method: string, path: string, body: unknown = {}): Promise<any> {
  const res = await call(url, method, path, { body });
  if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function putResponder(url: string, handle: string, body: Record<string, unknown>): Promise<void> {
  await command(url, 'PUT', `/api/v1/responders/${handle}`, body);
}

export async function timeline(url: string, incidentId: string): Promise<any[]> {
  const res = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?limit=1000`);
  if (res.status !== 200) throw new Error(`timeline failed: ${res.status}`);
  return res.body.items;
}

/** Waits for a timeline entry of the incident that matches. */
export function entry(url: string, incidentId: string, match: (e: any) => boolean, timeoutMs = 10_000): Promise<any> {
  return eventually(async () => (await timeline(url, incidentId)).find(match), {
    timeoutMs,
    intervalMs: 50,
    message: `a matching timeline entry of ${incidentId}`,
  });
}

export interface JobRow {
  id: string;
  incident_id: string;
  event_seq: number;
  channel: string;
  recipient: string;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  merged_into: string | null;
}

/** Direct reads of the notification tables. */
export class NotifyDb {
  private constructor(private readonly client: Client) {}

  static async connect(databaseUrl: string): Promise<NotifyDb> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new NotifyDb(client);
  }

  async jobs(incidentId?: string): Promise<JobRow[]> {
    const { rows } = await this.client.query(
      `SELECT id, incident_id, event_seq, channel, recipient, kind, status, attempts, last_error, merged_into
       FROM notification_jobs ${incidentId ? 'WHERE incident_id = $1' : ''} ORDER BY id`,
      incidentId ? [incidentId] : [],
    );
    return rows;
  }

  /** Waits until every job (of the incident) is sent or failed, and there is at least `min`. */
  async settled(incidentId?: string, min = 1, timeoutMs = 15_000): Promise<JobRow[]> {
    return eventually(
      async () => {
        const jobs = await this.jobs(incidentId);
        return jobs.length >= min && jobs.every((j) => j.status === 'sent' || j.status === 'failed') ? jobs : undefined;
      },
      { timeoutMs, intervalMs: 50, message: `notification jobs${incidentId ? ` of ${incidentId}` : ''} to settle` },
    );
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The text of every block of a Slack message, concatenated (for assertions). */
export function blockText(blocks: any[]): string {
  const texts: string[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.text === 'string') texts.push(node.text);
    for (const value of Object.values(node)) if (typeof value === 'object') walk(value);
  };
  walk(blocks);
  return texts.join('\n');
}
