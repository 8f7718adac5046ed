import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually, testKafkaBrokers } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import { blockText } from '../notifications/support';
import { ackToken, createPolicy, declare, entry, ok, putResponder, startPagingApp } from './support';
import { TwilioStub } from './twilio-stub';

describe('paging over the Kafka transport: Slack DMs and a Slack channel target', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let twilio: TwilioStub;
  let slack: SlackStub;

  beforeAll(async () => {
    twilio = await TwilioStub.start();
    slack = await SlackStub.start();
    databaseUrl = await createTestDatabase('paging_kafka');
    instance = await startPagingApp(databaseUrl, twilio, {
      KAFKA_BROKERS: testKafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `pg${randomBytes(4).toString('hex')}.`,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL: 'C0PAGING1',
    });
    await putResponder(instance.url, 'lee', { slackUserId: 'ULEE12345' });
  });
  afterAll(async () => {
    await instance?.close();
    await twilio?.close();
    await slack?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('DMs the paged responder with an acknowledge link and tells the step channel who is paged', async () => {
    const policy = await createPolicy(instance.url, {
      name: 'Slack',
      steps: [
        {
          delay: 'PT10M',
          targets: [
            { type: 'responder', handle: 'lee' },
            { type: 'slack_channel', channel: '#search-oncall' },
          ],
        },
      ],
    });
    await ok(instance.url, 'PUT', '/api/v1/services/search', { escalationPolicyId: policy.id });
    const incident = await declare(instance.url, { service: 'search', title: 'Reindex stuck at 40%' });

    const paged = await entry(instance.url, incident.id, (e) => e.type === 'incident.paged', 30_000);
    expect(paged.data).toMatchObject({ responders: ['lee'], channels: ['#search-oncall'] });
    await entry(
      instance.url,
      incident.id,
      (e) => e.type === 'page.sent' && e.data.method === 'slack' && e.data.responder === 'lee',
      30_000,
    );
    const dm = await eventually(() =>
      slack.messages.find((m) => m.channel === SlackStub.channelId('ULEE12345') && m.text.includes('/ack/')),
    );
    const token = ackToken(dm.text);
    const buttons = dm.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons.map((b: any) => [b.action_id, b.value])).toEqual([
      ['incident.acknowledge', incident.id],
      ['incident.resolve', incident.id],
      ['incident.take_command', incident.id],
    ]);
    expect(blockText(dm.blocks)).toContain(`/ack/${token}`);
    const room = await eventually(() =>
      slack.messages.find((m) => m.channel === SlackStub.channelId('#search-oncall')),
    );
    expect(`${room.text}\n${blockText(room.blocks)}`).toContain('paging lee');

    const ack = await fetch(`${instance.url}/ack/${token}`, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect((await entry(instance.url, incident.id, (e) => e.type === 'incident.acknowledged', 30_000)).actor).toBe(
      'lee',
    );
  });
});
