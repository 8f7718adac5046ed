import { DataSource } from 'typeorm';
import { ChatJobWorker } from '../../src/chatops/chat-job.worker';
import { ChatopsStore } from '../../src/chatops/persistence/chatops.store';
import { ADMIN_TOKEN, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';

// An idle worker asks when the next job is due; "none" once read as "due now" and it polled
// PostgreSQL every 10 ms for ever, on every instance, Slack configured or not.
describe('Chat job worker when no job is pending', () => {
  let databaseUrl: string;
  let app: TestApp;
  let store: ChatopsStore;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('chat_idle');
    app = await startApp(databaseUrl);
    store = app.app.get(ChatopsStore);
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('is told nothing is due, so it sleeps its idle poll instead of spinning', async () => {
    await expect(store.nextDueInMs()).resolves.toBeUndefined();
  });

  it('is told how long until a pending job is due, and 0 once it is', async () => {
    // The instance's own worker must not claim the job while the test moves it around.
    await app.app.get(ChatJobWorker).onModuleDestroy();
    const res = await fetch(`${app.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'idle worker', severity: 'SEV3' }),
    });
    const incident = (await res.json()) as { id: string };
    await store.insertJobs([{ incidentId: incident.id, kind: 'invite', key: 'later', payload: { handle: 'nobody' } }]);
    const db = app.app.get(DataSource);
    await db.query(`UPDATE chat_jobs SET due_at = now() + interval '1 hour' WHERE job_key = 'later'`);
    const later = await store.nextDueInMs();
    expect(later).toBeGreaterThan(3_500_000);
    expect(later).toBeLessThanOrEqual(3_600_000);
    await db.query(`UPDATE chat_jobs SET due_at = now() - interval '1 minute' WHERE job_key = 'later'`);
    await expect(store.nextDueInMs()).resolves.toBe(0);
  });
});
