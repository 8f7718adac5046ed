import type { DataSource, EntityManager } from 'typeorm';
import { migrations } from '../../src/migrations';
import { createDataSource, migrateUnderLock } from '../../src/platform/database/data-source';
import { createLogger } from '../../src/platform/observability/logger';
import { Metrics } from '../../src/platform/observability/metrics';
import { Timer, TimerSettings, Timers } from '../../src/platform/timers';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';

/**
 * Two "instances" are two Timers, each on a pool of its own, against one database. Handlers
 * write `fired_log` rows through the fire's transaction, so the log shows exactly what
 * committed.
 */
describe('timers (the one due-row mechanism)', () => {
  let databaseUrl: string;
  let db: DataSource;
  const sources: DataSource[] = [];
  const running: Timers[] = [];
  const logger = createLogger((process.env.TEST_LOG_LEVEL as 'fatal') ?? 'fatal');

  async function instance(settings: Partial<TimerSettings> = {}): Promise<Timers> {
    const source = createDataSource(databaseUrl, [], 4);
    await source.initialize();
    sources.push(source);
    const timers = new Timers(source, logger, new Metrics(), { pollMs: 100, retryBaseMs: 50, ...settings });
    running.push(timers);
    return timers;
  }

  /** A handler that logs the fire in its transaction; `instanceName` tells who fired it. */
  function logging(instanceName: string, before?: (timer: Timer) => void) {
    return {
      fire: async (timer: Timer, tx: EntityManager) => {
        await tx.query(`INSERT INTO fired_log (kind, key, instance, payload) VALUES ($1, $2, $3, $4)`, [
          timer.kind,
          timer.key,
          instanceName,
          JSON.stringify(timer.payload),
        ]);
        before?.(timer);
      },
    };
  }

  const log = (kind: string) => db.query(`SELECT key, instance, payload FROM fired_log WHERE kind = $1 ORDER BY id`, [kind]);
  const row = async (kind: string, key: string) =>
    (await db.query(`SELECT * FROM timers WHERE kind = $1 AND key = $2`, [kind, key]))[0];
  const firedAt = (kind: string, key: string) => eventually(async () => (await row(kind, key))?.fired_at, { message: `${kind}/${key} to fire` });
  const soon = (ms = 0) => new Date(Date.now() + ms);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('timers');
    db = createDataSource(databaseUrl, migrations, 4);
    await db.initialize();
    await migrateUnderLock(db);
    await db.query(`CREATE TABLE fired_log (id bigserial PRIMARY KEY, kind text, key text, instance text, payload jsonb)`);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await db?.destroy();
    await dropTestDatabase(databaseUrl);
  });

  it('two instances on one database fire each due timer exactly once', async () => {
    const [a, b] = [await instance(), await instance()];
    a.register('test.shared', logging('a'));
    b.register('test.shared', logging('b'));
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    // Some long overdue, some due while both instances are at work.
    for (const [i, key] of keys.entries()) await a.schedule({ kind: 'test.shared', key, dueAt: soon(i % 2 ? -60_000 : i * 2), payload: { i } });
    a.start();
    b.start();

    await eventually(async () => (await log('test.shared')).length >= keys.length, { timeoutMs: 30_000, message: 'every timer fired' });
    const pending = await db.query(`SELECT count(*)::int AS n FROM timers WHERE kind = 'test.shared' AND fired_at IS NULL`);
    expect(pending[0].n).toBe(0);
    const fired = await log('test.shared');
    expect(fired.map((f: { key: string }) => f.key).sort()).toEqual([...keys].sort());
    expect(fired.find((f: { key: string }) => f.key === 'k7').payload).toEqual({ i: 7 });
  });

  it("rolls back a throwing handler's writes, records the error and retries until it succeeds", async () => {
    const timers = await instance();
    let calls = 0;
    timers.register(
      'test.flaky',
      logging('a', () => {
        calls++;
        if (calls < 3) throw new Error(`downstream unavailable (call ${calls})`);
      }),
    );
    await timers.schedule({ kind: 'test.flaky', key: 'once', dueAt: soon() });
    timers.start();

    await firedAt('test.flaky', 'once');
    expect(calls).toBe(3);
    // The two failed fires wrote nothing: their inserts rolled back with them.
    expect(await log('test.flaky')).toHaveLength(1);
    const fired = await row('test.flaky', 'once');
    expect(fired.attempts).toBe(2);
    expect(fired.last_error).toBe('Error: downstream unavailable (call 2)');
  });

  it('fires a timer scheduled by an instance that stopped on another instance (restart)', async () => {
    const first = await instance();
    first.register('test.restart', logging('first'));
    first.start();
    await first.schedule({ kind: 'test.restart', key: 'shift-42', dueAt: soon(300), payload: { shift: 42 } });
    await first.stop();

    const second = await instance();
    second.register('test.restart', logging('second'));
    second.start();
    await firedAt('test.restart', 'shift-42');
    expect(await log('test.restart')).toEqual([{ key: 'shift-42', instance: 'second', payload: { shift: 42 } }]);
  });

  it('cancel removes a pending timer: a later one fires, the cancelled one never does', async () => {
    const timers = await instance();
    timers.register('test.cancel', logging('a'));
    await timers.schedule({ kind: 'test.cancel', key: 'cancelled', dueAt: soon(200) });
    await timers.schedule({ kind: 'test.cancel', key: 'sentinel', dueAt: soon(400) });
    expect(await timers.cancel('test.cancel', 'cancelled')).toBe(true);
    expect(await timers.cancel('test.cancel', 'cancelled')).toBe(false);
    timers.start();

    // Timers fire in due order: once the sentinel fired, the cancelled one's time had passed.
    await firedAt('test.cancel', 'sentinel');
    expect((await log('test.cancel')).map((f: { key: string }) => f.key)).toEqual(['sentinel']);
    expect(await row('test.cancel', 'cancelled')).toBeUndefined();
    // A fired timer cannot be cancelled (it stays as the record that its key was used).
    expect(await timers.cancel('test.cancel', 'sentinel')).toBe(false);
  });

  it('cancelAll removes the pending timers among its keys in one go, and leaves fired and other ones', async () => {
    const timers = await instance();
    timers.register('test.cancel-all', logging('a'));
    await timers.schedule({ kind: 'test.cancel-all', key: 'fired', dueAt: soon(0) });
    timers.start();
    await firedAt('test.cancel-all', 'fired');
    await timers.schedule({ kind: 'test.cancel-all', key: 'one', dueAt: soon(60_000) });
    await timers.schedule({ kind: 'test.cancel-all', key: 'two', dueAt: soon(60_000) });
    await timers.schedule({ kind: 'test.cancel-all', key: 'kept', dueAt: soon(60_000) });
    expect(await timers.cancelAll('test.cancel-all', ['one', 'two', 'fired', 'never-scheduled'])).toBe(2);
    expect(await row('test.cancel-all', 'one')).toBeUndefined();
    expect(await row('test.cancel-all', 'two')).toBeUndefined();
    expect(await row('test.cancel-all', 'kept')).toBeDefined();
    expect(await row('test.cancel-all', 'fired')).toBeDefined();
    expect(await timers.cancelAll('test.cancel-all', [])).toBe(0);
  });

  it('scheduleAll creates the new ones only; rescheduleAll moves and re-arms, refusing a key given twice', async () => {
    const timers = await instance();
    timers.register('test.many', logging('a'));
    await timers.schedule({ kind: 'test.many', key: 'fired', dueAt: soon(0), payload: { n: 0 } });
    timers.start();
    await firedAt('test.many', 'fired');
    await timers.schedule({ kind: 'test.many', key: 'pending', dueAt: soon(60_000), payload: { n: 1 } });

    const created = await timers.scheduleAll([
      { kind: 'test.many', key: 'fired', dueAt: soon(60_000), payload: { n: 2 } },
      { kind: 'test.many', key: 'pending', dueAt: soon(120_000), payload: { n: 3 } },
      { kind: 'test.many', key: 'new', dueAt: soon(60_000), payload: { n: 4 } },
    ]);
    expect(created).toBe(1);
    expect((await row('test.many', 'fired')).fired_at).not.toBeNull();
    expect((await row('test.many', 'pending')).payload).toEqual({ n: 1 });
    expect((await row('test.many', 'new')).payload).toEqual({ n: 4 });

    const later = soon(300_000);
    await timers.rescheduleAll([
      { kind: 'test.many', key: 'fired', dueAt: later, payload: { n: 5 } },
      { kind: 'test.many', key: 'pending', dueAt: later, payload: { n: 6 } },
    ]);
    const fired = await row('test.many', 'fired');
    expect(fired.fired_at).toBeNull(); // re-armed
    expect(fired.payload).toEqual({ n: 5 });
    expect(new Date(fired.due_at).getTime()).toBe(later.getTime());
    expect((await row('test.many', 'pending')).payload).toEqual({ n: 6 });
    await expect(
      timers.rescheduleAll([
        { kind: 'test.many', key: 'twice', dueAt: later, payload: {} },
        { kind: 'test.many', key: 'twice', dueAt: later, payload: {} },
      ]),
    ).rejects.toThrow('given twice');
    // Unlike reschedule, a missing payload would overwrite the stored one: refused.
    await expect(timers.rescheduleAll([{ kind: 'test.many', key: 'pending', dueAt: later }])).rejects.toThrow('no payload');
    expect((await row('test.many', 'pending')).payload).toEqual({ n: 6 });
  });

  it('schedule is idempotent on (kind, key), before and after firing; reschedule re-arms', async () => {
    const timers = await instance();
    timers.register('test.once', logging('a'));
    expect(await timers.schedule({ kind: 'test.once', key: 'lapse-1', dueAt: soon(), payload: { n: 1 } })).toBe(true);
    expect(await timers.schedule({ kind: 'test.once', key: 'lapse-1', dueAt: soon(), payload: { n: 2 } })).toBe(false);
    timers.start();
    await firedAt('test.once', 'lapse-1');

    expect(await timers.schedule({ kind: 'test.once', key: 'lapse-1', dueAt: soon(), payload: { n: 3 } })).toBe(false);
    await timers.schedule({ kind: 'test.once', key: 'sentinel', dueAt: soon(100) });
    await firedAt('test.once', 'sentinel');
    expect((await log('test.once')).map((f: { key: string; payload: unknown }) => [f.key, f.payload])).toEqual([
      ['lapse-1', { n: 1 }],
      ['sentinel', {}],
    ]);

    // reschedule moves a fired timer back to pending: a cadence that restarts fires again.
    await timers.reschedule({ kind: 'test.once', key: 'lapse-1', dueAt: soon(50), payload: { n: 4 } });
    await eventually(async () => (await log('test.once')).length === 3, { message: 'the rescheduled timer to fire' });
    expect((await log('test.once'))[2]).toMatchObject({ key: 'lapse-1', payload: { n: 4 } });
  });

  it('reschedule moves a pending timer later; the earlier time does not fire it', async () => {
    const timers = await instance();
    timers.register('test.move', logging('a'));
    await timers.schedule({ kind: 'test.move', key: 'moved', dueAt: soon(100) });
    await timers.reschedule({ kind: 'test.move', key: 'moved', dueAt: soon(60_000) });
    await timers.schedule({ kind: 'test.move', key: 'sentinel', dueAt: soon(300) });
    timers.start();
    await firedAt('test.move', 'sentinel');
    expect((await row('test.move', 'moved')).fired_at).toBeNull();
    expect((await log('test.move')).map((f: { key: string }) => f.key)).toEqual(['sentinel']);
  });

  it('a schedule in a rolled-back transaction leaves no timer; a committed one wakes the loop before its poll', async () => {
    const timers = await instance({ pollMs: 60_000 });
    const own = sources[sources.length - 1]; // the instance's pool, as in the service
    timers.register('test.tx', logging('a'));
    timers.start();
    await own
      .transaction(async (tx) => {
        await timers.schedule({ kind: 'test.tx', key: 'rolled-back', dueAt: soon() }, tx);
        throw new Error('the decision failed');
      })
      .catch(() => undefined);
    expect(await row('test.tx', 'rolled-back')).toBeUndefined();

    await own.transaction((tx) => timers.schedule({ kind: 'test.tx', key: 'committed', dueAt: soon() }, tx));
    // The poll is a minute away: the fire within the deadline is the in-process wake-up's doing.
    await firedAt('test.tx', 'committed');
  });

  it('leaves a kind it has no handler for to an instance that knows it', async () => {
    const ignorant = await instance();
    ignorant.register('test.known', logging('ignorant'));
    await ignorant.schedule({ kind: 'test.unknown', key: 'u1', dueAt: soon(-1000) });
    await ignorant.schedule({ kind: 'test.known', key: 'sentinel', dueAt: soon(100) });
    ignorant.start();
    await firedAt('test.known', 'sentinel');
    expect((await row('test.unknown', 'u1')).fired_at).toBeNull();

    const knowing = await instance();
    knowing.register('test.unknown', logging('knowing'));
    knowing.start();
    await firedAt('test.unknown', 'u1');
    expect(await log('test.unknown')).toEqual([{ key: 'u1', instance: 'knowing', payload: {} }]);
  });

  it('stop waits for the fire in flight, which commits', async () => {
    const timers = await instance();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    timers.register('test.stop', {
      fire: async (timer, tx) => {
        entered();
        await held;
        await tx.query(`INSERT INTO fired_log (kind, key, instance) VALUES ($1, $2, 'a')`, [timer.kind, timer.key]);
      },
    });
    await timers.schedule({ kind: 'test.stop', key: 'in-flight', dueAt: soon() });
    timers.start();
    await inHandler;
    let stopped = false;
    const stopping = timers.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await row('test.stop', 'in-flight')).fired_at).not.toBeNull();
    expect(await log('test.stop')).toHaveLength(1);
  });
});
