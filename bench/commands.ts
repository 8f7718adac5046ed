// Commands per second on the incident write path: declare, acknowledge, note.
// Run by hand: `node -r @swc-node/register bench/commands.ts` (PostgreSQL on 127.0.0.1:5432).
import autocannon from 'autocannon';
import { cpuMeter, describeCpu } from './cpu';
import { ADMIN, api, freshDatabase, startService } from './support';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function load(
  name: string,
  service: { url: string; pid: number },
  requests: () => { path: string; body: string },
): Promise<number> {
  const url = service.url;
  const cpu = cpuMeter(service.pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => ({ ...req, ...requests() }),
      },
    ],
  });
  const ok = result['2xx'];
  const perSecond = ok / (result.duration || DURATION);
  console.log(
    `${name.padEnd(28)} ${perSecond.toFixed(0).padStart(6)} commands/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`,
  );
  console.log(`${''.padEnd(29)}${describeCpu(cpu.stop(), { count: ok, name: 'command' }, 'service')}`);
  return perSecond;
}

async function main() {
  const databaseUrl = await freshDatabase('commands');
  const env: Record<string, string> = { DATABASE_URL: databaseUrl };
  if (process.env.KAFKA_BROKERS) env.KAFKA_BROKERS = process.env.KAFKA_BROKERS;
  const service = await startService(env);
  console.log(
    `Sitrep commands benchmark: ${CONNECTIONS} connections, ${DURATION} s each, transport ${env.KAFKA_BROKERS ? 'kafka' : 'in-process'}`,
  );
  try {
    await load('declare', service, () => ({
      path: '/api/v1/incidents',
      body: JSON.stringify({ title: 'bench incident', severity: 'SEV3', service: 'bench' }),
    }));

    const ids: string[] = [];
    for (let i = 0; i < 2000; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () =>
          api(service.url, 'POST', '/api/v1/incidents', { title: 'target', severity: 'SEV2' }),
        ),
      );
      ids.push(...batch.map((b) => b.id));
    }
    // Each incident goes round acknowledge → resolve → reopen, so every request is a legal command.
    const cycle = ['acknowledge', 'resolve', 'reopen'];
    let next = 0;
    await load('ack/resolve/reopen (2,000)', service, () => {
      const n = next++;
      return { path: `/api/v1/incidents/${ids[n % ids.length]}/${cycle[Math.floor(n / ids.length) % 3]}`, body: '{}' };
    });
    await load('note (2,000 incidents)', service, () => ({
      path: `/api/v1/incidents/${ids[next++ % ids.length]}/notes`,
      body: JSON.stringify({ text: 'still looking' }),
    }));
  } finally {
    await service.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
