// Live timeline latency, run by hand (never in CI):
//   node -r @swc-node/register bench/timeline.ts [attach] [fanout] [storm]   (default: all three)
// attach  Alertmanager webhook POST → the alert's first timeline entry at a `"*"` socket.io
//         client, at 100 and at 1,000 alerts/s, 20 groups (so nearly every alert attaches to
//         an open incident).
// fanout  one note delivered to 1,000 clients subscribed to one incident.
// storm   the shape of a user's alert storm: BENCH_STORM_WEBHOOKS (500) webhooks at
//         BENCH_STORM_RATE (100)/s, each a new group (so a new incident), severity critical;
//         BENCH_RUNS (4) runs on one service, with the notifications consumer off and then on
//         (Slack and email against local stubs; BENCH_NOTIFICATIONS=off|on|both). Each run
//         prints webhook → first entry (p50/p99/max) and where the time went: webhook → 202,
//         webhook → the entry's occurredAt (ingest, alerts topic, alert consumer), and
//         occurredAt → the client (commit, outbox relay, incident-events topic, fan-out); then
//         the alert consumer's batches and where the machine's CPU went (bench/cpu.ts).
// Uses the machine's PostgreSQL and a kcat mock Kafka broker. BENCH_NODE_ARGS passes flags to
// the service's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
import { io, Socket } from 'socket.io-client';
import { MailSink } from '../test/notifications/mail-sink';
import { SlackStub } from '../test/notifications/slack-stub';
import { startKafkaMockBroker } from '../test/support/kafka-broker';
import { cpuMeter, describeCpu } from './cpu';
import { ADMIN, api, freshDatabase, startService } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const STORM_WEBHOOKS = Number(process.env.BENCH_STORM_WEBHOOKS ?? 500);
const STORM_RATE = Number(process.env.BENCH_STORM_RATE ?? 100);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function figures(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

const ms = (n: number, width = 6) => n.toFixed(0).padStart(width);

function report(name: string, samples: number[], expected: number) {
  const f = figures(samples);
  console.log(
    `${name.padEnd(34)} p50 ${ms(f.p50)} ms  p95 ${ms(f.p95)} ms  p99 ${ms(f.p99)} ms  max ${ms(f.max)} ms  received ${samples.length}/${expected}`,
  );
}

function connect(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/timeline`, { auth: { token: ADMIN }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Subscribes; `*` is acknowledged once the instance's tail is live, and refused UNAVAILABLE until then. */
async function subscribe(socket: Socket, incidentId: string, after?: number): Promise<void> {
  for (const deadline = Date.now() + 60_000; ;) {
    const ack = (await socket.timeout(15_000).emitWithAck('subscribe', { incidentId, after })) as {
      ok: boolean;
      code?: string;
      error?: string;
    };
    if (ack?.ok) return;
    if (ack?.code !== 'UNAVAILABLE' || Date.now() > deadline) throw new Error(ack?.error ?? 'subscribe failed');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sums of the service's Prometheus series (all labels) whose name is given. */
async function scrape(url: string, names: string[]): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split('\n')) {
    const name = /^([a-z_:]+)[{ ]/.exec(line)?.[1];
    if (name && name in totals) totals[name] += Number(line.split(' ').pop());
  }
  return totals;
}

const CONSUMER_SERIES = [
  'sitrep_alert_consumer_batch_duration_seconds_count',
  'sitrep_alert_consumer_batch_duration_seconds_sum',
  'sitrep_alert_consumer_batch_messages_sum',
];

/** How the alert consumer spent a run: batches, their mean size, and how busy it was. */
function consumerLine(before: Record<string, number>, after: Record<string, number>, wallMs: number): string {
  const d = (n: string) => after[n] - before[n];
  const batches = d(CONSUMER_SERIES[0]);
  const busy = d(CONSUMER_SERIES[1]) * 1000;
  return `alert consumer: ${batches} batches of ${(d(CONSUMER_SERIES[2]) / Math.max(1, batches)).toFixed(1)} records, ${(busy / Math.max(1, batches)).toFixed(1)} ms each, busy ${((100 * busy) / wallMs).toFixed(0)}% of the run`;
}

interface Alertmanager {
  run: string;
  /** Alerts per webhook. */
  alerts: number;
  /** Group of webhook i. */
  group(i: number): string;
  severity: string;
}

function alertmanagerPayload(shape: Alertmanager, i: number) {
  const group = shape.group(i);
  return {
    receiver: 'sitrep',
    status: 'firing',
    alerts: Array.from({ length: shape.alerts }, (_, j) => ({
      status: 'firing',
      labels: { alertname: 'BenchLatency', group, instance: `i-${i}-${j}`, severity: shape.severity },
      annotations: { summary: `bench alert ${i}/${j}` },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `${shape.run}${String(i).padStart(8, '0')}${String(j).padStart(2, '0')}`
        .slice(-16)
        .padStart(16, '0'),
    })),
    groupLabels: { group },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench',
    version: '4',
    groupKey: `{}:{group="${group}"}`,
    truncatedAlerts: 0,
  };
}

interface Sample {
  /** webhook sent → first timeline entry of its alert at the client */
  total: number;
  /** webhook sent → 202 */
  accepted: number;
  /** webhook sent → the entry's occurredAt (the alert consumer's command) */
  toCommand: number;
  /** occurredAt → the client */
  toClient: number;
}

/** p50 / p99 / max of one part of the samples. */
function part(samples: Sample[], pick: (s: Sample) => number): string {
  const f = figures(samples.map(pick));
  return `${ms(f.p50, 5)} /${ms(f.p99, 5)} /${ms(f.max, 5)}`;
}

/** Where the time went: webhook → 202, → the command's occurredAt, command → the client. */
function breakdown(samples: Sample[]): string {
  return `→ 202 ${part(samples, (s) => s.accepted)}   → command ${part(samples, (s) => s.toCommand)}   command → client ${part(samples, (s) => s.toClient)}`;
}

/**
 * Posts `webhooks` Alertmanager webhooks at `perSecond` and measures each alert's first
 * `alert.attached` entry at a `*` subscriber. Times are wall-clock ms (the service runs on the
 * same machine, so its occurredAt is comparable).
 */
async function alertLatency(
  url: string,
  key: string,
  shape: Alertmanager,
  webhooks: number,
  perSecond: number,
): Promise<{ samples: Sample[]; expected: number; drainedMs: number }> {
  const socket = await connect(url);
  await subscribe(socket, '*');
  const sentAt = new Map<string, { at: number; accepted?: number }>();
  const samples: Sample[] = [];
  let lastArrival = 0;
  socket.on('timeline', (entry: { type: string; occurredAt: string; data: { identity?: string } }) => {
    if (entry.type !== 'alert.attached' || !entry.data.identity) return;
    const sent = sentAt.get(entry.data.identity);
    if (sent === undefined) return;
    const now = Date.now();
    lastArrival = now;
    sentAt.delete(entry.data.identity);
    const command = Date.parse(entry.occurredAt);
    samples.push({
      total: now - sent.at,
      accepted: (sent.accepted ?? now) - sent.at,
      toCommand: command - sent.at,
      toClient: now - command,
    });
  });
  const started = Date.now();
  const posts: Array<Promise<unknown>> = [];
  for (let i = 0; i < webhooks; i++) {
    const wait = started + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await sleep(wait);
    const body = alertmanagerPayload(shape, i);
    const sent = { at: Date.now() } as { at: number; accepted?: number };
    for (const a of body.alerts) sentAt.set(a.fingerprint, sent);
    posts.push(
      fetch(`${url}/api/v1/alerts/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        sent.accepted = Date.now();
        if (r.status === 202) await r.arrayBuffer();
        if (r.status !== 202)
          console.warn(
            `webhook ${i}: ${r.status} ${Buffer.from(await r.arrayBuffer())
              .toString()
              .slice(0, 200)}`,
          );
      }),
    );
  }
  const lastSent = Date.now();
  await Promise.all(posts);
  // Long enough for a backlog on a busy machine to drain: an entry not seen by then is lost.
  const deadline = Date.now() + 120_000;
  while (sentAt.size && Date.now() < deadline) await sleep(50);
  socket.close();
  return { samples, expected: webhooks * shape.alerts, drainedMs: Math.max(0, lastArrival - lastSent) };
}

async function attachShape(url: string, pid: number, key: string) {
  const run = Math.random().toString(16).slice(2, 6);
  const shape = (alerts: number): Alertmanager => ({
    run,
    alerts,
    group: (i) => `bench-${run}-${i % 20}`,
    severity: 'warning',
  });
  // Warm-up (JIT, pools, the first incident of each group), not measured.
  await alertLatency(url, key, shape(1), 500, 100);
  for (const perSecond of [100, 1000]) {
    const perRequest = perSecond >= 1000 ? 10 : 1;
    const cpu = cpuMeter(pid);
    const { samples, expected } = await alertLatency(
      url,
      key,
      shape(perRequest),
      (perSecond / perRequest) * SECONDS,
      perSecond / perRequest,
    );
    report(
      `webhook → entry at ${perSecond} alerts/s`,
      samples.map((s) => s.total),
      expected,
    );
    console.log(`  ${breakdown(samples)}`);
    console.log(`  ${describeCpu(cpu.stop(), { count: expected, name: 'alert' }, 'service')}`);
  }
}

async function fanOut(url: string, clients: number) {
  const incident = await api(url, 'POST', '/api/v1/incidents', { title: 'fan-out bench', severity: 'SEV3' });
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => connect(url)));
    await Promise.all(batch.map((s) => subscribe(s, incident.id, incident.version)));
    sockets.push(...batch);
  }
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  for (const s of sockets) {
    s.on('timeline', (entry: { type: string; data: { text?: string } }) => {
      const start = entry.type === 'note.added' && entry.data.text ? sentAt.get(entry.data.text) : undefined;
      if (start !== undefined) latencies.push(performance.now() - start);
    });
  }
  const notes = 20;
  for (let i = 0; i < notes; i++) {
    const text = `fan-out note ${i}`;
    sentAt.set(text, performance.now());
    await api(url, 'POST', `/api/v1/incidents/${incident.id}/notes`, { text });
    await sleep(100);
  }
  const deadline = Date.now() + 10000;
  while (latencies.length < notes * clients && Date.now() < deadline) await sleep(50);
  for (const s of sockets) s.close();
  report(`note → ${clients} subscribed clients`, latencies, notes * clients);
}

/** The storm: every webhook a new group, so every alert declares an incident. */
async function storm(brokers: string, notifications: boolean) {
  const slack = notifications ? await SlackStub.start({ rateLimit: { perSecond: 1, burst: 3 } }) : undefined;
  const mail = notifications ? await MailSink.start() : undefined;
  const env: Record<string, string> = {
    DATABASE_URL: await freshDatabase('storm'),
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `storm${Math.random().toString(16).slice(2, 8)}.`,
  };
  if (slack && mail) {
    Object.assign(env, {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SMTP_URL: mail.url,
      EMAIL_FROM: 'sitrep@bench.example',
      NOTIFY_EMAIL_TO: 'oncall@bench.example',
    });
  }
  const service = await startService(env);
  try {
    const integration = await api(service.url, 'POST', '/api/v1/integrations', { type: 'alertmanager', name: 'storm' });
    // Alertmanager fingerprints are hex: the run id is too.
    const shape = (): Alertmanager => ({
      run: Math.random().toString(16).slice(2, 8),
      alerts: 1,
      group(i) {
        return `storm-${this.run}-${i}`;
      },
      severity: 'critical',
    });
    // Until every consumer group has joined and the code is warm; not measured.
    await alertLatency(service.url, integration.key, shape(), 100, 50);
    const label = `notifications ${notifications ? 'on ' : 'off'}`;
    console.log(
      `storm, ${label}: ${STORM_WEBHOOKS} webhooks at ${STORM_RATE}/s, each a new incident (ms: p50 / p99 / max)`,
    );
    for (let run = 1; run <= RUNS; run++) {
      const before = await scrape(service.url, CONSUMER_SERIES);
      const runStarted = Date.now();
      const cpu = cpuMeter(service.pid);
      const { samples, expected, drainedMs } = await alertLatency(
        service.url,
        integration.key,
        shape(),
        STORM_WEBHOOKS,
        STORM_RATE,
      );
      console.log(
        `  run ${run}: webhook → entry ${part(samples, (s) => s.total)}   ${breakdown(samples)}   received ${samples.length}/${expected}, last ${drainedMs} ms after the last webhook`,
      );
      console.log(
        `         ${consumerLine(before, await scrape(service.url, CONSUMER_SERIES), Date.now() - runStarted)}`,
      );
      console.log(`         ${describeCpu(cpu.stop(), { count: expected, name: 'webhook' }, 'service')}`);
      await sleep(2000);
    }
    if (slack && mail) {
      console.log(
        `  notifications meanwhile: ${slack.calls.length} Slack calls (${slack.rejected.length} answered 429), ${mail.received.length} emails`,
      );
    }
  } finally {
    await service.stop();
    await slack?.close();
    await mail?.close();
  }
}

async function main() {
  const shapes = process.argv.slice(2).length ? process.argv.slice(2) : ['attach', 'fanout', 'storm'];
  const broker = await startKafkaMockBroker();
  try {
    if (shapes.includes('attach') || shapes.includes('fanout')) {
      const service = await startService({
        DATABASE_URL: await freshDatabase('timeline'),
        KAFKA_BROKERS: broker.brokers,
      });
      try {
        const integration = await api(service.url, 'POST', '/api/v1/integrations', {
          type: 'alertmanager',
          name: 'bench',
        });
        console.log(`Sitrep live timeline benchmark (${SECONDS} s per rate, kcat mock broker, local PostgreSQL)`);
        if (shapes.includes('attach')) await attachShape(service.url, service.pid, integration.key);
        if (shapes.includes('fanout')) await fanOut(service.url, 1000);
      } finally {
        await service.stop();
      }
    }
    if (shapes.includes('storm')) {
      const which = process.env.BENCH_NOTIFICATIONS ?? 'both';
      if (which !== 'on') await storm(broker.brokers, false);
      if (which !== 'off') await storm(broker.brokers, true);
    }
  } finally {
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
