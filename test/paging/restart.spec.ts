import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { createPolicy, declare, entry, ok, PagingDb, putResponder, startPagingApp, timeline } from './support';
import { TwilioStub } from './twilio-stub';

describe('paging across a restart', () => {
  let databaseUrl: string;
  let first: TestApp;
  let second: TestApp | undefined;
  let third: TestApp | undefined;
  let twilio: TwilioStub;
  let db: PagingDb;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    databaseUrl = await createTestDatabase('paging_restart');
    first = await startPagingApp(databaseUrl, twilio);
    db = await PagingDb.connect(databaseUrl);
    await putResponder(first.url, 'jo', {
      phone: '+14155550131',
      notificationRules: [{ after: 'PT0S', method: 'sms' }],
    });
    await putResponder(first.url, 'kim', {
      phone: '+14155550132',
      notificationRules: [{ after: 'PT0S', method: 'sms' }],
    });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await third?.close();
    await db?.close();
    await twilio?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('fires the next step once on the instances that come back, and does not send the first step again', async () => {
    const policy = await createPolicy(first.url, {
      name: 'Restart',
      steps: [
        { delay: 'PT3S', targets: [{ type: 'responder', handle: 'jo' }] },
        { delay: 'PT10M', targets: [{ type: 'responder', handle: 'kim' }] },
      ],
    });
    await ok(first.url, 'PUT', '/api/v1/services/search', { escalationPolicyId: policy.id });
    const incident = await declare(first.url, {
      service: 'search',
      title: 'Elasticsearch reindex saturating the cluster',
    });
    await entry(first.url, incident.id, (e) => e.type === 'page.sent' && e.data.responder === 'jo');
    const page = await db.page(incident.id);
    await first.close();

    // Two instances come back at once: both poll the same timers.
    [second, third] = await Promise.all([startPagingApp(databaseUrl, twilio), startPagingApp(databaseUrl, twilio)]);
    const escalated = await entry(second.url, incident.id, (e) => e.type === 'incident.escalated');
    expect(escalated.data).toEqual({ policyId: policy.id, step: 2, round: 1 });
    await entry(second.url, incident.id, (e) => e.type === 'page.sent' && e.data.responder === 'kim');
    await eventually(async () => (await db.stepTimers(page.id)).some((t) => t.key.endsWith(':1:1') && t.fired));

    const entries = await timeline(third.url, incident.id);
    expect(entries.filter((e) => e.type === 'incident.escalated')).toHaveLength(1);
    expect(entries.filter((e) => e.type === 'incident.paged')).toHaveLength(1);
    expect(entries.filter((e) => e.type === 'page.sent').map((e) => e.data.responder)).toEqual(['jo', 'kim']);
    expect(twilio.sent('Messages', '+14155550131')).toHaveLength(1);
    expect(twilio.sent('Messages', '+14155550132')).toHaveLength(1);
    expect((await db.page(incident.id)).step).toBe(2);
  });
});
