import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { ADMIN_TOKEN, ApiResponse, call } from '../support/app';
import { eventually } from '../support/database';

export const FIXTURES = path.resolve(__dirname, '../../..', 'shared', 'fixtures');

/** A fixture's exact bytes. */
export function fixture(relative: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, relative));
}

export function fixtureJson<T = any>(relative: string): T {
  return JSON.parse(fixture(relative).toString('utf8')) as T;
}

/** A fresh topic prefix, so test files sharing one broker never see each other's records. */
export function uniquePrefix(): string {
  return `al${randomBytes(4).toString('hex')}.`;
}

export interface TestIntegration {
  id: string;
  key: string;
  secret?: string;
}

export async function createIntegration(
  url: string,
  type: 'alertmanager' | 'pagerduty-webhook' | 'pagerduty-events',
  name: string,
  service?: string,
): Promise<TestIntegration> {
  const res = await call(url, 'POST', '/api/v1/integrations', {
    body: { type, name, ...(service ? { service } : {}) },
  });
  if (res.status !== 201) throw new Error(`integration creation failed: ${res.status} ${res.text}`);
  return { id: res.body.id, key: res.body.key, secret: res.body.secret };
}

/** Gives an integration a known key (the fixtures' routing key), as stored: SHA-256 of it. */
export async function setIntegrationKey(db: Client, id: string, key: string): Promise<void> {
  await db.query(`UPDATE integrations SET key_hash = $2 WHERE id = $1`, [
    id,
    createHash('sha256').update(key).digest(),
  ]);
}

export async function setSigningSecret(db: Client, id: string, secret: string): Promise<void> {
  await db.query(`UPDATE integrations SET signing_secret = $2 WHERE id = $1`, [id, secret]);
}

/** POSTs bytes as they are (no token unless given). */
export async function post(
  url: string,
  route: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return call(url, 'POST', route, {
    token: null,
    raw: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function sendAlertmanager(url: string, key: string, body: Buffer | string | object) {
  const raw = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
  return post(url, '/api/v1/alerts/alertmanager', raw, { authorization: `Bearer ${key}` });
}

export function sign(body: Buffer | string, secret: string): string {
  return `v1=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
}

export function api<T = any>(url: string, method: string, route: string, body?: unknown) {
  return call<T>(url, method, route, { token: ADMIN_TOKEN, body });
}

export async function incidentsOfGroup(db: Client, groupKey: string) {
  const { rows } = await db.query(
    `SELECT id, number, title, summary, status, severity, service, source, group_key, alerts_total, alerts_firing, version
     FROM incidents WHERE group_key = $1 ORDER BY created_at`,
    [groupKey],
  );
  return rows;
}

export async function eventsOf(db: Client, incidentId: string) {
  const { rows } = await db.query(
    `SELECT seq, type, actor, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
    [incidentId],
  );
  return rows as Array<{ seq: number; type: string; actor: string; data: any }>;
}

export async function alertRows(db: Client, integrationId: string) {
  const { rows } = await db.query(
    `SELECT id, source, identity, occurrence, group_key, status, severity, summary, description, runbook_url,
       generator_url, service, labels, annotations, details, delivery, starts_at, ends_at, incident_id, resolved_at
     FROM alerts WHERE integration_id = $1 ORDER BY first_seen_at, identity`,
    [integrationId],
  );
  return rows;
}

export async function count(db: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query(sql, params);
  return Number(rows[0].n);
}

/** Waits until the query returns a row for which `check` holds; returns that row. */
export async function until<T = any>(
  db: Client,
  sql: string,
  params: unknown[],
  check: (row: T) => boolean,
  message: string,
  timeoutMs = 10000,
): Promise<T> {
  return eventually(
    async () => {
      const { rows } = await db.query(sql, params);
      const row = rows[0] as T | undefined;
      return row !== undefined && check(row) ? row : undefined;
    },
    { timeoutMs, message },
  );
}

// 64-bit FNV-1a over sorted labels, as the fixtures README's generator (and Alertmanager) computes it.
function fingerprint(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  for (const k of Object.keys(labels).sort()) {
    for (const b of Buffer.concat([Buffer.from(k), Buffer.from([255]), Buffer.from(labels[k]), Buffer.from([255])])) {
      h ^= BigInt(b);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * The fixtures README's generator: `firing-group.json` with its first alert cloned `count`
 * times (instance api-<i>), written like Go's json.Encoder. `groupKey` changes the group.
 */
export function hugeAlertmanagerPayload(count: number, groupKey?: string): string {
  const m = fixtureJson('alertmanager/firing-group.json');
  const t = m.alerts[0];
  m.alerts = Array.from({ length: count }, (_, i) => {
    const a = structuredClone(t);
    a.labels.instance = `api-${i}.prod-eu-1.example.com:8080`;
    a.annotations.summary = `High 5xx ratio on ${a.labels.instance}`;
    a.fingerprint = fingerprint(a.labels);
    return a;
  });
  if (groupKey) m.groupKey = groupKey;
  const esc = (s: string) => s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return esc(JSON.stringify(m)) + '\n';
}

/** A small Alertmanager webhook body of one group. */
export function alertmanagerBody(
  groupKey: string,
  alerts: Array<{
    name?: string;
    instance: string;
    status?: 'firing' | 'resolved';
    startsAt?: string;
    severity?: string;
  }>,
) {
  return {
    receiver: 'sitrep',
    status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: a.name ?? 'DiskFull', instance: a.instance, severity: a.severity ?? 'warning', job: 'node' },
      annotations: { summary: `Disk full on ${a.instance}`, runbook_url: 'https://runbooks.example.com/DiskFull' },
      startsAt: a.startsAt ?? '2026-03-14T10:00:00Z',
      endsAt: a.status === 'resolved' ? '2026-03-14T10:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com/graph',
    })),
    groupLabels: { alertname: alerts[0]?.name ?? 'DiskFull' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}
