import { migrations } from '../../../src/migrations';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource, migrateUnderLock } from '../../../src/platform/database/data-source';
import { InProcessTransport } from '../../../src/platform/messaging/in-process-transport';
import { TOPICS } from '../../../src/platform/messaging/message-transport';
import { OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { IncidentOutbox, OUTBOX_CHANNEL } from '../../../src/incidents/persistence/incident-outbox';
import type { IncidentEventMessage } from '../../../src/incidents';
import { createTestDatabase, dropTestDatabase, eventually } from '../../support/database';
import { recordingLogger } from './messaging-test-support';

interface Shipped {
  key: string;
  event: IncidentEventMessage;
}

describe('OutboxRelay with the incident outbox', () => {
  let url: string;
  let dataSource: DataSource;
  let transport: InProcessTransport;
  const logger = recordingLogger();
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    url = await createTestDatabase('outbox_relay');
    dataSource = createDataSource(url, migrations, 10);
    await dataSource.initialize();
    await migrateUnderLock(dataSource);
    transport = new InProcessTransport(dataSource, logger, { topicPrefix: 'test.' });
    await transport.start();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await dataSource.query('UPDATE incident_events SET published = true');
  });

  afterAll(async () => {
    await transport?.stop();
    await dataSource?.destroy();
    if (url) await dropTestDatabase(url);
  });

  function relay(options: ConstructorParameters<typeof OutboxRelay>[4] = {}): OutboxRelay {
    const created = new OutboxRelay(dataSource, transport, new IncidentOutbox(), logger, options);
    relays.push(created);
    return created;
  }

  /** Appends events in one transaction, optionally with the writers' pg_notify. */
  async function append(events: Array<{ incidentId: string; seq: number }>, notify = false): Promise<void> {
    await dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO incident_events (incident_id, seq, type, actor, occurred_at, data)
         SELECT e.incident_id, e.seq, 'incident.updated', 'system', now(), jsonb_build_object('n', e.seq)
         FROM unnest($1::uuid[], $2::int[]) AS e(incident_id, seq)`,
        [events.map((e) => e.incidentId), events.map((e) => e.seq)],
      );
      if (notify) await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
    });
  }

  async function shipped(): Promise<Shipped[]> {
    const rows: Array<{ key: string; value: Buffer }> = await dataSource.query(
      `SELECT key, value FROM transport_messages WHERE topic = $1 ORDER BY "offset"`,
      [`test.${TOPICS.incidentEvents}`],
    );
    return rows.map((r) => ({ key: r.key, event: JSON.parse(r.value.toString()) as IncidentEventMessage }));
  }

  async function unpublished(): Promise<number> {
    const [{ count }] = await dataSource.query(
      'SELECT count(*)::int AS count FROM incident_events WHERE NOT published',
    );
    return count;
  }

  it('publishes events in order per incident, keyed by incident, and marks them published', async () => {
    const incidents = [randomUUID(), randomUUID(), randomUUID()];
    for (let seq = 1; seq <= 5; seq++) {
      await append(incidents.map((incidentId) => ({ incidentId, seq })));
    }
    const before = (await shipped()).length;
    await relay({ batchSize: 4 }).start(); // several batches

    await eventually(async () => (await unpublished()) === 0, { message: 'events published' });
    const sent = (await shipped()).slice(before);
    expect(sent).toHaveLength(15);
    for (const incidentId of incidents) {
      const own = sent.filter((s) => s.key === incidentId);
      expect(own.map((s) => s.event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(own.every((s) => s.event.incidentId === incidentId)).toBe(true);
    }
    expect(sent[0].event).toEqual({
      v: 1,
      incidentId: sent[0].key,
      seq: 1,
      type: 'incident.updated',
      actor: 'system',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { n: 1 },
    });
  });

  it('lets one relay work at a time, and another take over when it stops', async () => {
    const first = relay({ lockRetryMs: 100 });
    const second = relay({ lockRetryMs: 100 });
    await Promise.all([first.start(), second.start()]);
    const leader = await eventually(() => (first.isLeader ? first : second.isLeader ? second : undefined), {
      message: 'a leader',
    });
    const follower = leader === first ? second : first;

    const before = (await shipped()).length;
    const incidentId = randomUUID();
    for (let seq = 1; seq <= 30; seq++) {
      await append([{ incidentId, seq }], true);
      first.notify();
      second.notify();
    }
    await eventually(async () => (await unpublished()) === 0, { message: 'events published' });
    // Past the follower's lock retries, it is still a follower and has sent nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(follower.isLeader).toBe(false);
    expect(follower.publishedCount).toBe(0);
    expect(leader.publishedCount).toBe(30);
    const sent = (await shipped()).slice(before);
    expect(sent.map((s) => s.event.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    await leader.stop();
    expect(leader.isLeader).toBe(false);
    await eventually(() => follower.isLeader, { timeoutMs: 3000, message: 'follower takes over' });
    await append([{ incidentId, seq: 31 }], true);
    await eventually(async () => (await unpublished()) === 0, { message: 'published by the new leader' });
    expect(follower.publishedCount).toBe(1);
  });

  it('wakes at once on notify() and on pg_notify, without waiting for the poll', async () => {
    const only = relay({ pollIntervalMs: 60_000 });
    await only.start();
    await eventually(() => only.isLeader, { message: 'leader' });

    const incidentId = randomUUID();
    await append([{ incidentId, seq: 1 }]);
    let started = Date.now();
    only.notify();
    await eventually(async () => (await unpublished()) === 0, { timeoutMs: 2000, message: 'published on notify()' });
    expect(Date.now() - started).toBeLessThan(1000);

    started = Date.now();
    await append([{ incidentId, seq: 2 }], true);
    await eventually(async () => (await unpublished()) === 0, { timeoutMs: 2000, message: 'published on pg_notify' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(only.publishedCount).toBe(2);
  });

  it('keeps unpublished events and retries while the transport refuses them', async () => {
    const refusing = new InProcessTransport(dataSource, logger, { topicPrefix: 'test.' }); // never started
    const stuck = new OutboxRelay(dataSource, refusing, new IncidentOutbox(), logger, { retryDelayMs: 50 });
    relays.push(stuck);
    await stuck.start();
    await append([{ incidentId: randomUUID(), seq: 1 }], true);
    await eventually(() => logger.entries.some((e) => /cannot publish/.test(e.msg ?? '')), {
      message: 'publish failure',
    });
    expect(await unpublished()).toBe(1);
    await stuck.stop();

    await relay().start();
    await eventually(async () => (await unpublished()) === 0, { message: 'published after recovery' });
  });
});
