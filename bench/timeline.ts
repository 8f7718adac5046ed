// Live timeline latency, run by hand: `node -r @swc-node/register bench/timeline.ts`.
// (1) Alertmanager webhook POST → the alert's first timeline entry at a subscribed socket.io
//     client, at 100 and at 1,000 alerts/s; (2) delivery of one entry to 1,000 clients
//     subscribed to one incident. Uses the machine's PostgreSQL and a kcat mock Kafka broker.
import { io, Socket } from 'socket.io-client';
import { startKafkaMockBroker } from '../test/support/kafka-broker';
import { ADMIN, api, freshDatabase, startService } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(name: string, samples: number[], expected: number) {
  const s = [...samples].sort((a, b) => a - b);
  console.log(
    `${name.padEnd(34)} p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(s, 95).toFixed(1).padStart(6)} ms  p99 ${percentile(s, 99).toFixed(1).padStart(6)} ms  received ${samples.length}/${expected}`,
  );
}

function connect(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/timeline`, { auth: { token: ADMIN }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function subscribe(socket: Socket, incidentId: string, after?: number): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.emit('subscribe', { incidentId, after }, (ack: { ok: boolean; error?: string }) =>
      ack?.ok ? resolve() : reject(new Error(ack?.error ?? 'subscribe failed')),
    ),
  );
}

function alertmanagerPayload(run: string, i: number, alerts: number) {
  const group = `bench-${run}-${i % 20}`;
  return {
    receiver: 'sitrep',
    status: 'firing',
    alerts: Array.from({ length: alerts }, (_, j) => ({
      status: 'firing',
      labels: { alertname: 'BenchLatency', group, instance: `i-${i}-${j}`, severity: 'warning' },
      annotations: { summary: `bench alert ${i}/${j}` },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `${run}${String(i).padStart(8, '0')}${String(j).padStart(2, '0')}`.slice(-16).padStart(16, '0'),
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

async function webhookLatency(url: string, key: string, alertsPerSecond: number, seconds = SECONDS, quiet = false) {
  const socket = await connect(url);
  await subscribe(socket, '*');
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  socket.on('timeline', (entry: { type: string; data: { identity?: string } }) => {
    if (entry.type !== 'alert.attached' || !entry.data.identity) return;
    const start = sentAt.get(entry.data.identity);
    if (start === undefined) return;
    sentAt.delete(entry.data.identity);
    latencies.push(performance.now() - start);
  });
  const run = Math.random().toString(16).slice(2, 6);
  const perRequest = alertsPerSecond >= 1000 ? 10 : 1;
  const requestsPerSecond = alertsPerSecond / perRequest;
  const total = requestsPerSecond * seconds;
  const started = performance.now();
  const posts: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / requestsPerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = alertmanagerPayload(run, i, perRequest);
    const at = performance.now();
    for (const a of body.alerts) sentAt.set(a.fingerprint, at);
    posts.push(
      fetch(`${url}/api/v1/alerts/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.arrayBuffer()),
    );
  }
  await Promise.all(posts);
  const deadline = Date.now() + 10000;
  while (sentAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  socket.close();
  if (!quiet) report(`webhook → entry at ${alertsPerSecond} alerts/s`, latencies, total * perRequest);
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
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 10000;
  while (latencies.length < notes * clients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const s of sockets) s.close();
  report(`note → ${clients} subscribed clients`, latencies, notes * clients);
}

async function main() {
  const broker = await startKafkaMockBroker();
  const databaseUrl = await freshDatabase('timeline');
  const service = await startService({ DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.brokers });
  try {
    const integration = await api(service.url, 'POST', '/api/v1/integrations', { type: 'alertmanager', name: 'bench' });
    // Let the consumer groups join the mock cluster (about its session timeout), then warm up
    // (JIT, pools, the first incidents of each group) without measuring.
    await new Promise((r) => setTimeout(r, 8000));
    await webhookLatency(service.url, integration.key, 100, 5, true);
    console.log(`Sitrep live timeline benchmark (${SECONDS} s per rate, kcat mock broker, local PostgreSQL)`);
    await webhookLatency(service.url, integration.key, 100);
    await webhookLatency(service.url, integration.key, 1000);
    await fanOut(service.url, 1000);
  } finally {
    await service.stop();
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
