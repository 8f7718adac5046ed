// Notification delivery against a rate-limited Slack: 1,000 incidents announced through a Slack
// stub that allows 1 message per second per channel with a burst (token bucket; 429 +
// Retry-After beyond it). To keep the run short the incidents are spread over many channels
// (a rules file routes each service to its own channel), so the run lasts about
// 1000 / channels seconds.
// Run by hand: `node -r @swc-node/register bench/notifications.ts` (PostgreSQL on 127.0.0.1:5432).
// BENCH_INCIDENTS (1000), BENCH_CHANNELS (50), BENCH_BURST (3).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlackStub } from '../test/notifications/slack-stub';
import { api, freshDatabase, startService } from './support';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 1000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 50);
const BURST = Number(process.env.BENCH_BURST ?? 3);
const RATE = 1; // messages per second per channel, as Slack's chat.postMessage guideline

async function main() {
  const stub = await SlackStub.start({ rateLimit: { perSecond: RATE, burst: BURST } });
  const rulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-bench-')), 'rules.json');
  fs.writeFileSync(rulesFile, JSON.stringify({ rules: [{ when: 'incident.declared', send: ['slack:channel'], slackChannel: '#bench-{service}' }] }));
  const databaseUrl = await freshDatabase('notifications');
  const service = await startService({
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: stub.token,
    SLACK_API_URL: stub.url,
    NOTIFY_RULES_FILE: rulesFile,
    ACK_TIMEOUT: '3600',
  });
  console.log(
    `Sitrep notifications benchmark: ${INCIDENTS} incidents over ${CHANNELS} Slack channels, stub allows ${RATE}/s per channel, burst ${BURST}`,
  );
  const started = Date.now();
  try {
    const ids: string[] = [];
    for (let i = 0; i < INCIDENTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, INCIDENTS - i) }, (_, k) =>
          api(service.url, 'POST', '/api/v1/incidents', { title: `bench ${i + k}`, severity: 'SEV2', service: `svc-${(i + k) % CHANNELS}` }),
        ),
      );
      ids.push(...batch.map((b) => b.id));
    }
    const declaredIn = Date.now() - started;
    const deadline = Date.now() + Math.max(120_000, ((INCIDENTS / CHANNELS) * 3 * 1000) / RATE);
    const delivered = () => new Set(stub.messages.map((m) => m.metadata?.event_payload?.incident)).size;
    while (delivered() < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const elapsed = Date.now() - started;

    const posts = stub.calls.filter((c) => c.method === 'chat.postMessage');
    let allowed = 0;
    let afterFirst429 = 0;
    let allowedAfterFirst429 = 0;
    let limitedChannels = 0;
    for (const channel of new Set(posts.map((c) => SlackStub.channelId(String(c.args.channel))))) {
      const calls = posts.filter((c) => SlackStub.channelId(String(c.args.channel)) === channel);
      const ok = calls.filter((c) => c.status === 200);
      const first = calls[0].at;
      const last = ok.length ? ok[ok.length - 1].at : first;
      // What the bucket could have accepted from the channel's first call to its last delivery.
      allowed += BURST + ((last - first) / 1000) * RATE;
      const first429 = calls.find((c) => c.status === 429);
      if (first429) {
        limitedChannels++;
        const later = calls.filter((c) => c.at >= first429.at);
        afterFirst429 += later.length;
        // The bucket is empty at the first 429; from then on it allows RATE per second.
        allowedAfterFirst429 += Math.max(1, ((last - first429.at) / 1000) * RATE);
      }
    }
    const perIncident = new Map<string, number>();
    for (const m of stub.messages) {
      const id = m.metadata?.event_payload?.incident;
      if (id) perIncident.set(id, (perIncident.get(id) ?? 0) + 1);
    }
    const lost = ids.filter((id) => !perIncident.has(id)).length;
    const duplicated = [...perIncident.values()].filter((n) => n > 1).length;
    const deliveredCount = stub.messages.length - [...perIncident.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    const rejected = posts.filter((c) => c.status === 429).length;

    const row = (label: string, value: string, goal = '') => console.log(`${label.padEnd(44)} ${value.padStart(10)}  ${goal}`);
    row('incidents declared (s)', (declaredIn / 1000).toFixed(1));
    row('all delivered after (s)', (elapsed / 1000).toFixed(1));
    row('chat.postMessage calls / 429 answers', `${posts.length} / ${rejected}`);
    row('channels that saw a 429', `${limitedChannels} / ${CHANNELS}`);
    row('delivered / allowed', (deliveredCount / allowed).toFixed(3), 'goal ≥ 0.9');
    row('calls after first 429 / allowed then', (afterFirst429 / Math.max(1, allowedAfterFirst429)).toFixed(3), 'goal ≤ 1.1');
    row('lost', String(lost), 'goal 0');
    row('duplicated', String(duplicated), 'goal 0');
  } finally {
    await service.stop();
    await stub.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
