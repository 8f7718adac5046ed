import { migrations } from '../../../src/migrations';
import { DataSource } from 'typeorm';
import { createDataSource, migrateUnderLock } from '../../../src/platform/database/data-source';
import { InProcessTransport } from '../../../src/platform/messaging/in-process-transport';
import { OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { OutboxEntry, OutboxSession, OutboxSource } from '../../../src/platform/messaging/outbox-source';
import { createTestDatabase, dropTestDatabase, eventually } from '../../support/database';
import { recordingLogger } from './messaging-test-support';

/** A source the relay has never heard of: its own table, channel, lock and two topics. */
class ChecklistOutbox implements OutboxSource {
  readonly name = 'checklist';
  readonly channel = 'checklist_outbox';
  readonly lockKey = 0x636b_6c73;

  async unpublished(session: OutboxSession, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await session.query<{ position: string; topic: string; key: string; body: string }>(
      `SELECT position, topic, key, body FROM checklist_outbox WHERE NOT sent ORDER BY position LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ position: String(r.position), topic: r.topic, message: { key: r.key, value: r.body } }));
  }

  async markPublished(session: OutboxSession, positions: string[]): Promise<void> {
    await session.query(`UPDATE checklist_outbox SET sent = true WHERE position = ANY($1::bigint[])`, [positions]);
  }
}

describe('OutboxRelay with any outbox source', () => {
  let url: string;
  let dataSource: DataSource;
  let transport: InProcessTransport;
  let relay: OutboxRelay | undefined;
  const logger = recordingLogger();

  beforeAll(async () => {
    url = await createTestDatabase('outbox_source');
    dataSource = createDataSource(url, migrations, 5);
    await dataSource.initialize();
    await migrateUnderLock(dataSource);
    await dataSource.query(`
      CREATE TABLE checklist_outbox (
        position bigserial PRIMARY KEY, topic text NOT NULL, key text NOT NULL, body text NOT NULL,
        sent boolean NOT NULL DEFAULT false)`);
    transport = new InProcessTransport(dataSource, logger, { topicPrefix: 'src.', pollIntervalMs: 60_000 });
    await transport.start();
  });

  afterAll(async () => {
    await relay?.stop();
    await transport?.stop();
    await dataSource?.destroy();
    if (url) await dropTestDatabase(url);
  });

  async function shipped(topic: string): Promise<Array<{ key: string; value: string }>> {
    const rows: Array<{ key: string; value: Buffer }> = await dataSource.query(
      `SELECT key, value FROM transport_messages WHERE topic = $1 ORDER BY "offset"`,
      [`src.${topic}`],
    );
    return rows.map((r) => ({ key: r.key, value: r.value.toString() }));
  }

  it('publishes each entry to its own topic in position order, marks it, and wakes on the source’s channel', async () => {
    relay = new OutboxRelay(dataSource, transport, new ChecklistOutbox(), logger, {
      batchSize: 3,
      pollIntervalMs: 60_000,
    });
    await relay.start();
    await eventually(() => relay?.isLeader, { message: 'leader' });

    // Written by another "instance": only the LISTEN on checklist_outbox can wake the relay.
    await dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO checklist_outbox (topic, key, body)
         SELECT t, 'run-' || (n % 2), t || '-' || n FROM generate_series(1, 8) AS n,
              LATERAL (SELECT CASE WHEN n % 3 = 0 THEN 'audit' ELSE 'tasks' END AS t) AS topic`,
      );
      await tx.query(`SELECT pg_notify('checklist_outbox', '')`);
    });

    await eventually(
      async () => (await dataSource.query(`SELECT count(*)::int AS n FROM checklist_outbox WHERE NOT sent`))[0].n === 0,
      { message: 'all entries marked' },
    );
    expect((await shipped('tasks')).map((m) => m.value)).toEqual([
      'tasks-1',
      'tasks-2',
      'tasks-4',
      'tasks-5',
      'tasks-7',
      'tasks-8',
    ]);
    expect(await shipped('audit')).toEqual([
      { key: 'run-1', value: 'audit-3' },
      { key: 'run-0', value: 'audit-6' },
    ]);
    expect(relay.publishedCount).toBe(8);
    expect(logger.entries.some((e) => (e.obj as { outbox?: string }).outbox === 'checklist')).toBe(true);
  });
});
