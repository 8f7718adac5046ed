import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { MailSink } from '../notifications/mail-sink';
import {
  ackToken,
  createPolicy,
  declare,
  entry,
  ok,
  PagingDb,
  putResponder,
  startPagingApp,
  timeline,
} from './support';
import { TwilioStub } from './twilio-stub';

describe('paging: a two-step policy, acknowledged from the link between steps', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let twilio: TwilioStub;
  let sink: MailSink;
  let db: PagingDb;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    sink = await MailSink.start();
    databaseUrl = await createTestDatabase('paging_two_step');
    instance = await startPagingApp(databaseUrl, twilio, { SMTP_URL: sink.url, EMAIL_FROM: 'sitrep@example.test' });
    db = await PagingDb.connect(databaseUrl);
    await putResponder(instance.url, 'alice', { email: 'alice@example.com', phone: '+14155550123' });
    await putResponder(instance.url, 'bea', { email: 'bea@example.com' });
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await twilio?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('pages step 1 by every method, the link acknowledges as alice, and step 2 never starts', async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Search',
      steps: [
        { delay: 'PT3S', targets: [{ type: 'responder', handle: 'alice' }] },
        { delay: 'PT3S', targets: [{ type: 'responder', handle: 'bea' }] },
      ],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/search', {
      escalationPolicyId: policy.id,
      description: 'Elasticsearch',
    });
    const incident = await declare(instance.url, { service: 'search' });

    const paged = await entry(instance.url, incident.id, (e) => e.type === 'incident.paged');
    expect(paged).toMatchObject({
      actor: 'system',
      data: { policyId: policy.id, step: 1, round: 1, responders: ['alice'], channels: [] },
    });
    const mail = await eventually(() => sink.to('alice@example.com')[0]);
    expect(mail.subject).toBe(`Paged: SEV1 incident #${incident.number}: Search latency above 2 s`);
    const token = ackToken(mail.text);
    expect(token.length).toBeGreaterThanOrEqual(22);
    const sms = await eventually(() => twilio.sent('Messages', '+14155550123')[0]);
    expect(sms.fields.Body).toContain(`/ack/`);
    const voice = await eventually(() => twilio.sent('Calls', '+14155550123')[0]);
    expect(voice.fields.Twiml).toContain('Press 1 to acknowledge');
    expect(voice.fields.Twiml).toContain(`action="https://sitrep.example.test/api/v1/twilio/voice/`);
    for (const method of ['email', 'sms', 'voice']) {
      await entry(
        instance.url,
        incident.id,
        (e) => e.type === 'page.sent' && e.data.method === method && e.data.responder === 'alice',
      );
    }

    // A link scanner's GET changes nothing.
    const look = await call(instance.url, 'GET', `/ack/${token}`, { token: null });
    expect(look.status).toBe(200);
    expect(look.headers.get('content-type')).toContain('text/html');
    expect(look.text).toContain('Acknowledge as alice');
    expect((await ok(instance.url, 'GET', `/api/v1/incidents/${incident.id}`)).status).toBe('triggered');

    const before = (await timeline(instance.url, incident.id)).length;
    const ack = await call(instance.url, 'POST', `/ack/${token}`, { token: null });
    expect(ack.status).toBe(200);
    expect(ack.text).toContain('Acknowledged by alice');
    const acknowledged = await entry(instance.url, incident.id, (e) => e.type === 'incident.acknowledged');
    expect(acknowledged.actor).toBe('alice');
    const again = await call(instance.url, 'POST', `/ack/${token}`, {
      token: null,
      raw: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.status).toBe(200);
    expect(again.text).toContain('Nothing changed');
    const json = await call(instance.url, 'POST', `/ack/${token}`, { token: null, body: {} });
    expect(json.status).toBe(200);
    expect((await timeline(instance.url, incident.id)).filter((e) => e.type === 'incident.acknowledged')).toHaveLength(
      1,
    );
    expect((await timeline(instance.url, incident.id)).length).toBeGreaterThanOrEqual(before + 1);

    // The page ends and step 2's timer goes away with it: bea is never paged.
    const page = await eventually(async () => {
      const p = await db.page(incident.id);
      return p?.status === 'ended' ? p : undefined;
    });
    expect(page.end_reason).toBe('acknowledged');
    await eventually(async () => (await db.stepTimers(page.id)).every((t) => t.fired));
    expect((await timeline(instance.url, incident.id)).some((e) => e.type === 'incident.escalated')).toBe(false);
    expect(sink.to('bea@example.com')).toHaveLength(0);

    // Resolved: the link is gone (410).
    await ok(instance.url, 'POST', `/api/v1/incidents/${incident.id}/resolve`, {});
    expect((await call(instance.url, 'POST', `/ack/${token}`, { token: null })).status).toBe(410);
    expect((await call(instance.url, 'GET', `/ack/${token}`, { token: null })).status).toBe(410);
    expect((await call(instance.url, 'GET', `/ack/${'A'.repeat(43)}`, { token: null })).status).toBe(404);

    const metrics = await call(instance.url, 'GET', '/metrics', { token: null });
    expect(metrics.text).toContain(`sitrep_pages_started_total{policy="${policy.id}"} 1`);
    expect(metrics.text).toMatch(
      new RegExp(`sitrep_page_time_to_acknowledge_seconds_count\\{policy="${policy.id}"\\} 1`),
    );
    expect(metrics.text).toContain('sitrep_page_notifications_total{method="sms",outcome="sent"} 1');
  });
});
