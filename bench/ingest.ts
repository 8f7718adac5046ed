// Alert ingestion throughput and latency, against the kcat mock Kafka broker and PostgreSQL.
// Run by hand: `node -r @swc-node/register bench/ingest.ts` (PostgreSQL on 127.0.0.1:5432, kcat installed).
//   A/B/C: a minimal Node http server that parses JSON and answers 202 (the ceiling of this
//        machine) vs Sitrep's Alertmanager endpoint vs the stack's floor (Fastify + kafkajs,
//        nothing of Sitrep's), 10-alert payloads with rotating fingerprints, 32 connections,
//        BENCH_ROUNDS rounds; each run also prints where the machine's CPU went.
//   Then the consumer's alerts/s into PostgreSQL: while the A/B runs (saturated, sharing the CPU
//   with HTTP), and alone, draining a backlog produced while the service was stopped; and a
//   5,000-alert payload from POST to every alert on its incident.
// librdkafka's mock cluster keeps at most 5 MiB per partition: records a consumer has not read
// by then are dropped (offset out of range). Backlogs here stay below that; what the A/B runs
// produce beyond it is reported as dropped by the broker.
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { encodeAlertMessages } from '../src/alerts/alert-message';
import { normaliseAlertmanager } from '../src/alerts/sources';
import { KafkaTransport } from '../src/platform/messaging';
import { startKafkaMockBroker } from '../test/support/kafka-broker';
import { cpuMeter, describeCpu } from './cpu';
import { api, freshDatabase, startService } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROUPS = 100;
const ALERTS_PER_PAYLOAD = 10;
/** Below what the mock broker keeps (4 partitions × 5 MiB) at ~700 bytes per alert on the wire. */
const BACKLOG_ALERTS = Number(process.env.BENCH_BACKLOG ?? 20000);

const TEMPLATE_ALERT = {
  status: 'firing',
  labels: {
    alertname: 'HighErrorRate',
    cluster: 'prod-eu-1',
    instance: '',
    job: 'api',
    severity: 'critical',
    team: 'payments',
  },
  annotations: {
    description: '5xx ratio is 7.3% (> 5% threshold) for checkout & refunds endpoints over the last 5m.',
    runbook_url: 'https://runbooks.example.com/payments/HighErrorRate',
    summary: '',
  },
  startsAt: '2026-03-14T09:26:53.589Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL:
    'http://prometheus-0.example.com:9090/graph?g0.expr=sum+by+%28instance%29+%28rate%28http_requests_total%5B5m%5D%29%29&g0.tab=1',
  fingerprint: '',
};

let sequence = 0;
/** A 10-alert group notification whose fingerprints were never sent before (group rotates over 100). */
function payload(run: string, alerts = ALERTS_PER_PAYLOAD, group?: string): string {
  const n = sequence++;
  const groupKey = group ?? `{}/{}:{alertname="HighErrorRate", shard="${n % GROUPS}"}`;
  const list = Array.from({ length: alerts }, (_, k) => {
    const id = n * alerts + k;
    const instance = `api-${run}-${id}.prod-eu-1.example.com:8080`;
    return {
      ...TEMPLATE_ALERT,
      labels: { ...TEMPLATE_ALERT.labels, instance },
      annotations: { ...TEMPLATE_ALERT.annotations, summary: `High 5xx ratio on ${instance}` },
      fingerprint: `${run.charCodeAt(0).toString(16).padStart(2, '0')}${id.toString(16).padStart(14, '0')}`,
    };
  });
  return JSON.stringify({
    receiver: 'sitrep',
    status: 'firing',
    alerts: list,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  });
}

/** The ceiling: a plain Node http server in its own process that parses the JSON and answers 202. */
function startBaseline(): Promise<Server> {
  const script = `
    const http = require('http');
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: Array.isArray(body.alerts) ? body.alerts.length : 0 }));
        } catch {
          res.writeHead(400);
          res.end();
        }
      });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  return serve(script);
}

/**
 * The floor of the chosen stack: Fastify and a kafkajs producer in their own process, nothing of
 * Sitrep's. It parses the body, produces one record per alert (the alert's JSON, keyed by the
 * group) with acks = all, the requests that arrive while one is in flight together, and answers
 * 202 once acknowledged.
 * No auth, validation, normalising or metrics: what the stack costs before Sitrep adds anything.
 */
function startStackFloor(brokers: string, topic: string): Promise<Server> {
  const script = `
    const fastify = require('fastify')({ bodyLimit: 10 * 1024 * 1024 });
    const { Kafka, Partitioners, logLevel } = require('kafkajs');
    const kafka = new Kafka({ clientId: 'floor', brokers: ${JSON.stringify(brokers.split(','))}, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
    // Requests that arrive while a send is in flight go together in the next one: one
    // producer request at a time, as a careful minimal service would do it.
    let waiting = [];
    let sending = false;
    async function flush() {
      sending = true;
      while (waiting.length) {
        const batch = waiting;
        waiting = [];
        try {
          await producer.send({ topic: ${JSON.stringify(topic)}, acks: -1, messages: batch.flatMap((b) => b.messages) });
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
      sending = false;
    }
    fastify.post('/api/v1/alerts/alertmanager', async (request, reply) => {
      const body = request.body;
      const messages = body.alerts.map((alert) => ({ key: body.groupKey, value: JSON.stringify(alert) }));
      await new Promise((resolve, reject) => {
        waiting.push({ messages, resolve, reject });
        if (!sending) void flush();
      });
      reply.code(202);
      return { accepted: messages.length };
    });
    (async () => {
      // The mock cluster has no controller for CreateTopics; it creates the topic on first use.
      await producer.connect();
      await fastify.listen({ port: 0, host: '127.0.0.1' });
      console.log(fastify.server.address().port);
    })();`;
  return serve(script);
}

type Server = { url: string; pid: number; stop(): Promise<void> };

/** Runs `script` in a node process of its own (from the repository, for its node_modules); it prints its port. */
function serve(script: string): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    child.stdout!.once('data', (chunk: Buffer) => {
      resolve({
        url: `http://127.0.0.1:${Number(chunk.toString().trim())}`,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

interface LoadResult {
  ok: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, key: string, run: string): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/api/v1/alerts/alertmanager',
        setupRequest: (req: any) => ({ ...req, body: payload(run) }),
      },
    ],
  });
  return {
    ok: result['2xx'],
    reqPerSec: result['2xx'] / (result.duration || SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function post(url: string, key: string, body: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

async function alertCount(db: Client, integrationId: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM alerts WHERE integration_id = $1`, [integrationId]);
  return rows[0].n;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Encodes 10-alert deliveries as the ingest endpoint would and produces them straight to the topic. */
async function produceBacklog(brokers: string, prefix: string, integrationId: string, alerts: number): Promise<number> {
  const transport = new KafkaTransport({ brokers: brokers.split(','), clientId: 'bench', topicPrefix: prefix });
  await transport.start();
  try {
    const batch: Array<ReturnType<typeof encodeAlertMessages>[number]> = [];
    for (let i = 0; i < alerts / ALERTS_PER_PAYLOAD; i++) {
      const result = normaliseAlertmanager(JSON.parse(payload('d')), integrationId);
      if (!result.ok) throw new Error('bench payload does not normalise');
      batch.push(
        ...encodeAlertMessages(
          {
            v: 1,
            kind: 'signals',
            integrationId,
            source: 'alertmanager',
            groupKey: `${integrationId}:${result.meta.groupKey}`,
            receivedAt: new Date().toISOString(),
            requestId: randomUUID(),
            meta: { service: null },
          },
          result.signals,
        ),
      );
    }
    for (let i = 0; i < batch.length; i += 200) await transport.publish('alerts', batch.slice(i, i + 200));
    return batch.length;
  } finally {
    await transport.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const broker = await startKafkaMockBroker();
  const databaseUrl = await freshDatabase('ingest');
  const prefix = `bench${Date.now()}.`;
  const serviceEnv = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.brokers, KAFKA_TOPIC_PREFIX: prefix };
  let service = await startService(serviceEnv);
  const baseline = await startBaseline();
  const floor = await startStackFloor(broker.brokers, `${prefix}floor`);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const integration = await api(service.url, 'POST', '/api/v1/integrations', { type: 'alertmanager', name: 'bench' });
    // Warm up: the consumer group joins the mock cluster before anything is measured.
    if ((await post(service.url, integration.key, payload('w'))) !== 202) throw new Error('warm-up refused');
    await waitFor(
      async () => (await alertCount(db, integration.id)) === ALERTS_PER_PAYLOAD,
      30000,
      'warm-up alerts',
      100,
    );
    let acceptedAlerts = ALERTS_PER_PAYLOAD;
    /** Waits until the consumer is idle (the alert count stops moving), so runs do not share the CPU with it. */
    const settle = async (): Promise<number> => {
      let last = -1;
      for (;;) {
        const now = await alertCount(db, integration.id);
        if (now === last) return now;
        last = now;
        await new Promise((r) => setTimeout(r, 2000));
      }
    };
    // JIT warm-up of both servers, not measured.
    const warm = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
    await autocannon({
      url: baseline.url,
      connections: CONNECTIONS,
      duration: warm,
      requests: [{ method: 'POST', path: '/api/v1/alerts/alertmanager', body: payload('v') }],
    });
    await autocannon({
      url: floor.url,
      connections: CONNECTIONS,
      duration: warm,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/api/v1/alerts/alertmanager',
          setupRequest: (req: any) => ({ ...req, body: payload('f') }),
        },
      ],
    });
    acceptedAlerts +=
      ALERTS_PER_PAYLOAD *
      (
        await autocannon({
          url: service.url,
          connections: CONNECTIONS,
          duration: warm,
          headers: { authorization: `Bearer ${integration.key}`, 'content-type': 'application/json' },
          requests: [
            {
              method: 'POST',
              path: '/api/v1/alerts/alertmanager',
              setupRequest: (req: any) => ({ ...req, body: payload('u') }),
            },
          ],
        })
      )['2xx'];

    console.log(
      `Alertmanager ingestion: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ALERTS_PER_PAYLOAD} alerts per payload, kcat mock broker`,
    );
    const base: number[] = [];
    const sitrep: number[] = [];
    const stack: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await settle();
      let cpu = cpuMeter(baseline.pid);
      const a = await load(baseline.url, integration.key, 'b');
      const baselineCpu = describeCpu(cpu.stop(), { count: a.ok, name: 'request' }, 'baseline');
      base.push(a.reqPerSec);
      console.log(
        `  round ${round} A baseline  ${a.reqPerSec.toFixed(0).padStart(6)} req/s ${(a.reqPerSec * ALERTS_PER_PAYLOAD).toFixed(0).padStart(7)} alerts/s  p50 ${a.p50} ms  p99 ${a.p99} ms  non-2xx ${a.non2xx}  errors ${a.errors}`,
      );
      console.log(`                     ${baselineCpu}`);
      const storedBefore = await settle();
      cpu = cpuMeter(service.pid);
      const b = await load(service.url, integration.key, String.fromCharCode(97 + round));
      const sitrepCpu = describeCpu(cpu.stop(), { count: b.ok, name: 'request' }, 'service');
      const storedDuring = (await alertCount(db, integration.id)) - storedBefore;
      sitrep.push(b.reqPerSec);
      acceptedAlerts += b.ok * ALERTS_PER_PAYLOAD;
      console.log(
        `  round ${round} B Sitrep    ${b.reqPerSec.toFixed(0).padStart(6)} req/s ${(b.reqPerSec * ALERTS_PER_PAYLOAD).toFixed(0).padStart(7)} alerts/s  p50 ${b.p50} ms  p99 ${b.p99} ms  non-2xx ${b.non2xx}  errors ${b.errors}  (stored meanwhile ${(storedDuring / SECONDS).toFixed(0)} alerts/s)`,
      );
      console.log(`                     ${sitrepCpu}`);
      await settle();
      cpu = cpuMeter(floor.pid);
      const c = await load(floor.url, integration.key, 'f');
      stack.push(c.reqPerSec);
      console.log(
        `  round ${round} C stack floor ${c.reqPerSec.toFixed(0).padStart(4)} req/s ${(c.reqPerSec * ALERTS_PER_PAYLOAD).toFixed(0).padStart(7)} alerts/s  p50 ${c.p50} ms  p99 ${c.p99} ms  non-2xx ${c.non2xx}  errors ${c.errors}`,
      );
      console.log(`                     ${describeCpu(cpu.stop(), { count: c.ok, name: 'request' }, 'floor')}`);
    }
    const ratio = median(sitrep) / median(base);
    console.log(
      `  median: baseline ${median(base).toFixed(0)} req/s, Sitrep ${median(sitrep).toFixed(0)} req/s = ${(median(sitrep) * ALERTS_PER_PAYLOAD).toFixed(0)} alerts/s; Sitrep/baseline ${ratio.toFixed(2)}`,
    );
    console.log(
      `  the stack's floor (Fastify + kafkajs, nothing of Sitrep's) ${median(stack).toFixed(0)} req/s: floor/baseline ${(median(stack) / median(base)).toFixed(2)}, Sitrep/floor ${(median(sitrep) / median(stack)).toFixed(2)}`,
    );

    // What the consumer stored of the A/B load once it settles (the mock broker drops records a
    // consumer is more than 5 MiB behind on, so a saturated consumer loses some there).
    const last = await settle();
    console.log(
      `  accepted ${acceptedAlerts} alerts in all; ${last} stored, ${acceptedAlerts - last} dropped by the mock broker's 5 MiB-per-partition retention while the consumer lagged`,
    );

    // One 5,000-alert group on an idle service: POST → 202 → every alert on its incident.
    for (let i = 1; i <= 3; i++) {
      const bulk = await api(service.url, 'POST', '/api/v1/integrations', { type: 'alertmanager', name: `bulk-${i}` });
      const groupKey = `{}/{}:{alertname="HighErrorRate", bulk="${i}"}`;
      const body = payload(`k${i}`, 5000, groupKey);
      const started = Date.now();
      if ((await post(service.url, bulk.key, body)) !== 202) throw new Error('5,000-alert payload refused');
      const answered = Date.now() - started;
      await waitFor(
        async () =>
          (
            await db.query(`SELECT 1 FROM incidents WHERE group_key = $1 AND alerts_total = 5000`, [
              `${bulk.id}:${groupKey}`,
            ])
          ).rows.length === 1,
        60000,
        'the 5,000 alerts',
        10,
      );
      const applied = Date.now() - started;
      console.log(
        `5,000-alert payload (${(Buffer.byteLength(body) / 1e6).toFixed(1)} MB) #${i}: 202 after ${answered} ms, ` +
          `incident holds all 5,000 after ${applied} ms (consumer ${(5000 / ((applied - answered) / 1000)).toFixed(0)} alerts/s after the 202)`,
      );
    }

    // The consumer alone: a backlog of 10-alert records over 100 groups, produced while the
    // service is stopped, drained after it starts again on fresh topics (timed from the first row
    // to the last).
    const drained = await api(service.url, 'POST', '/api/v1/integrations', { type: 'alertmanager', name: 'drain' });
    await service.stop();
    // Topics of their own: the A/B rounds left the alerts topic near the mock broker's 5 MiB per
    // partition, where the backlog's first records would be dropped before they are read.
    const drainPrefix = `${prefix}drain.`;
    const records = await produceBacklog(broker.brokers, drainPrefix, drained.id, BACKLOG_ALERTS);
    const restarted = await startService({ ...serviceEnv, KAFKA_TOPIC_PREFIX: drainPrefix });
    service = restarted;
    let first = 0;
    await waitFor(
      async () => {
        const n = await alertCount(db, drained.id);
        if (n > 0 && first === 0) first = Date.now();
        return n === BACKLOG_ALERTS;
      },
      300000,
      'the backlog',
      10,
    );
    const seconds = (Date.now() - first) / 1000;
    console.log(
      `Consumer alone: ${BACKLOG_ALERTS} alerts in ${records} records of ${ALERTS_PER_PAYLOAD} over ${GROUPS} groups ` +
        `stored in ${seconds.toFixed(2)} s = ${(BACKLOG_ALERTS / seconds).toFixed(0)} alerts/s into PostgreSQL`,
    );
  } finally {
    await db.end();
    await baseline.stop();
    await floor.stop();
    await service.stop();
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
