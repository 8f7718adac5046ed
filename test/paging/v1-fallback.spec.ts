import { Client } from 'pg';
import { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { createPolicy, declare, entry, ok, putResponder, startPagingApp, timeline } from './support';
import { TwilioStub } from './twilio-stub';

describe('paging and v1\'s ACK_TIMEOUT hop: one escalates, never both', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let twilio: TwilioStub;
  let db: Client;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    databaseUrl = await createTestDatabase('paging_v1_fallback');
    instance = await startPagingApp(databaseUrl, twilio, { ACK_TIMEOUT: '1' });
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await putResponder(instance.url, 'alice', { email: 'alice@example.com' });
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    await twilio?.close();
    await dropTestDatabase(databaseUrl);
  });

  /** Resolves once v1's escalation timer of the incident has fired (escalating or not). */
  const v1TimerFired = (incidentId: string) =>
    eventually(
      async () => {
        const { rows } = await db.query(`SELECT fired_at FROM timers WHERE kind = 'notifications.escalation' AND key = $1`, [incidentId]);
        return rows[0]?.fired_at ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, message: `v1 escalation timer of ${incidentId} to fire` },
    );

  it('with no policy at all, v1 escalates after ACK_TIMEOUT; with one, only the policy does', async () => {
    const before = await declare(instance.url, { service: 'search' });
    await entry(instance.url, before.id, (e) => e.type === 'incident.escalated' && typeof e.data.target === 'string');

    const policy = await createPolicy(instance.url, {
      name: 'Everything',
      default: true,
      steps: [
        { delay: 'PT2S', targets: [{ type: 'responder', handle: 'alice' }] },
        { delay: 'PT2S', targets: [{ type: 'responder', handle: 'alice' }] },
      ],
    });
    const after = await declare(instance.url, { service: 'search' });
    await entry(instance.url, after.id, (e) => e.type === 'incident.paged' && e.data.policyId === policy.id);
    await v1TimerFired(after.id);
    await entry(instance.url, after.id, (e) => e.type === 'incident.escalated' && e.data.step === 2);
    const escalations = (await timeline(instance.url, after.id)).filter((e) => e.type === 'incident.escalated');
    expect(escalations.map((e) => e.data)).toEqual([{ policyId: policy.id, step: 2, round: 1 }]);
    await ok(instance.url, 'POST', `/api/v1/incidents/${after.id}/acknowledge`, {});
  });
});
