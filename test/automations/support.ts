import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, startApp, TestApp } from '../support/app';
import { eventually } from '../support/database';

/** A Sitrep instance with fast timers (verify windows, leases) and fast retries. */
export function startAutomationApp(
  databaseUrl: string,
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return startApp(databaseUrl, { TIMER_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '50', ...env });
}

export async function ok<T = any>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await call(url, method, path, { body, ...(token ? { token } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${res.text}`);
  return res.body as T;
}

export async function createIntegration(url: string, service: string): Promise<string> {
  const body = await ok(url, 'POST', '/api/v1/integrations', {
    type: 'alertmanager',
    name: `am-${service}-${Math.random()}`,
    service,
  });
  return body.key as string;
}

export interface AlertSpec {
  name?: string;
  instance: string;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  severity?: string;
  labels?: Record<string, string>;
}

/** An Alertmanager notification of one group (the key decides which incident it joins). */
export async function sendAlerts(url: string, key: string, title: string, alerts: AlertSpec[]): Promise<void> {
  const body = {
    receiver: 'sitrep',
    status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: {
        alertname: a.name ?? 'ESIndexRefill',
        instance: a.instance,
        severity: a.severity ?? 'critical',
        ...(a.labels ?? {}),
      },
      annotations: { summary: `Elasticsearch is refilling indexes on ${a.instance}` },
      startsAt: a.startsAt ?? '2026-12-04T03:21:00Z',
      endsAt: a.status === 'resolved' ? '2026-12-04T03:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com/graph',
    })),
    groupLabels: { alertname: alerts[0]?.name ?? 'ESIndexRefill' },
    commonLabels: {},
    commonAnnotations: { summary: title },
    externalURL: 'http://alertmanager.example.com',
    version: '4',
    groupKey: `{}:{title="${title}"}`,
    truncatedAlerts: 0,
  };
  const res = await call(url, 'POST', '/api/v1/alerts/alertmanager', { token: key, body });
  if (res.status !== 202) throw new Error(`alert delivery failed: ${res.status} ${res.text}`);
}

export async function incidentTitled(url: string, title: string, timeoutMs = 15_000): Promise<any> {
  return eventually(
    async () => {
      const list = await ok(url, 'GET', '/api/v1/incidents?limit=100');
      return (list.items as any[]).find((i) => i.title === title);
    },
    { timeoutMs, intervalMs: 50, message: `an incident titled ${title}` },
  );
}

export async function timeline(url: string, incidentId: string): Promise<any[]> {
  return (await ok(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?limit=1000`)).items;
}

export function entry(url: string, incidentId: string, match: (e: any) => boolean, timeoutMs = 15_000): Promise<any> {
  return eventually(async () => (await timeline(url, incidentId)).find(match), {
    timeoutMs,
    intervalMs: 50,
    message: `a matching timeline entry of ${incidentId}`,
  });
}

export async function runs(url: string, incidentId: string): Promise<any[]> {
  return (await ok(url, 'GET', `/api/v1/incidents/${incidentId}/automation-runs`)).items;
}

export function runThat(url: string, incidentId: string, match: (r: any) => boolean, timeoutMs = 15_000): Promise<any> {
  return eventually(async () => (await runs(url, incidentId)).find(match), {
    timeoutMs,
    intervalMs: 50,
    message: `a matching run of ${incidentId}`,
  });
}

export type HookMode = 200 | 500 | 'hang' | 'redirect';

export interface HookCall {
  body: any;
  raw: string;
  signature: string;
  signatureValid: boolean;
}

/**
 * The customer's endpoint: checks X-Sitrep-Signature against the secret it was given (as a
 * receiver should: HMAC of "<t>.<body>", constant-time, t within five minutes), and answers
 * 200, 500, a redirect, or never.
 */
export class HookEndpoint {
  readonly calls: HookCall[] = [];
  mode: HookMode = 200;
  secret = '';
  redirected = 0;
  private server?: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (req.url === '/elsewhere') {
        this.redirected++;
        res.end('followed');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['x-sitrep-signature'] ?? '');
        this.calls.push({ body: JSON.parse(raw), raw, signature, signatureValid: this.verify(signature, raw) });
        if (this.mode === 'hang') {
          this.hanging.add(res);
          return;
        }
        if (this.mode === 'redirect') {
          res.writeHead(302, { location: '/elsewhere' }).end();
          return;
        }
        res.writeHead(this.mode, { 'content-type': 'text/plain' }).end(this.mode === 200 ? 'reindex started' : 'boom');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  verify(header: string, raw: string): boolean {
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!match || !this.secret) return false;
    if (Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
    const expected = createHmac('sha256', this.secret).update(`${match[1]}.${raw}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
