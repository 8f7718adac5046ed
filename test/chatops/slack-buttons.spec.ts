import { call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import { ALICE, BOB, click, declareRest, incident, putResponders, slash, startChatApp, STRANGER, timeline } from './support';

describe('Slack buttons: Acknowledge, Resolve, Take command (signed block_actions over HTTP)', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let stub: SlackStub;
  let path = 0;

  const answerTo = (responsePath: string) =>
    eventually(() => stub.responsesTo(responsePath)[0]?.body, { message: `the response_url post ${responsePath}` });

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_buttons');
    instance = await startChatApp(databaseUrl, stub, { SLACK_INCIDENT_CHANNELS: 'off' });
    await putResponders(instance.url);
  });
  afterAll(async () => {
    await instance?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('acknowledges, hands command and resolves as the clicking responder; each click answers an empty 200 and reports on its response_url', async () => {
    const declared = await declareRest(instance.url, { title: 'Checkout down', severity: 'SEV1' });

    const ack = await click(instance.url, stub, 'incident.acknowledge', declared.id, { user: ALICE.slackUserId, responsePath: `b${++path}` });
    expect(ack.status).toBe(200);
    expect(ack.text).toBe('');
    expect(await answerTo(`b${path}`)).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: `You acknowledged #${declared.number} Checkout down.` });
    expect(await incident(instance.url, declared.id)).toMatchObject({ status: 'acknowledged', roles: { commander: ALICE.handle } });

    await click(instance.url, stub, 'incident.take_command', declared.id, { user: BOB.slackUserId, responsePath: `b${++path}` });
    expect((await answerTo(`b${path}`)).text).toBe(`You are now the commander of #${declared.number} Checkout down.`);
    expect((await incident(instance.url, declared.id)).roles.commander).toBe(BOB.handle);

    await click(instance.url, stub, 'incident.resolve', declared.id, { user: ALICE.slackUserId, responsePath: `b${++path}` });
    await answerTo(`b${path}`);
    expect((await incident(instance.url, declared.id)).status).toBe('resolved');
    const entries = (await timeline(instance.url, declared.id)).filter((e) => ['incident.acknowledged', 'incident.role_assigned', 'incident.resolved'].includes(e.type));
    expect(entries.map((e) => [e.type, e.actor])).toEqual([
      ['incident.acknowledged', ALICE.handle],
      ['incident.role_assigned', ALICE.handle],
      ['incident.role_assigned', BOB.handle],
      ['incident.resolved', ALICE.handle],
    ]);

    // A second click on a resolved incident changes nothing and says why.
    await click(instance.url, stub, 'incident.acknowledge', declared.id, { user: BOB.slackUserId, responsePath: `b${++path}` });
    expect((await answerTo(`b${path}`)).text).toMatch(/^Not now: /);
    expect((await incident(instance.url, declared.id)).status).toBe('resolved');
  });

  it('Take command by the deputy hands command over instead of refusing', async () => {
    const declared = await declareRest(instance.url, { title: 'Handoff', severity: 'SEV2', commander: BOB.handle });
    await call(instance.url, 'PUT', `/api/v1/incidents/${declared.id}/roles/deputy`, { body: { assignee: ALICE.handle } });
    await click(instance.url, stub, 'incident.take_command', declared.id, { user: ALICE.slackUserId, responsePath: `b${++path}` });
    expect((await answerTo(`b${path}`)).text).toContain('You are now the commander');
    expect((await incident(instance.url, declared.id)).roles).toMatchObject({ commander: ALICE.handle, deputy: null });
    const handoff = (await timeline(instance.url, declared.id)).filter((e) => e.type === 'incident.commander_handoff');
    expect(handoff).toEqual([expect.objectContaining({ actor: ALICE.handle, data: { from: BOB.handle, to: ALICE.handle } })]);
  });

  it('applies a retried click (the same trigger_id) once', async () => {
    const declared = await declareRest(instance.url, { title: 'Queue backlog', severity: 'SEV2' });
    const triggerId = '7012345681904.701234567890.sameclicksameclicksameclick0000';
    const first = await click(instance.url, stub, 'incident.acknowledge', declared.id, { triggerId, responsePath: `b${++path}` });
    const firstPath = `b${path}`;
    const second = await click(instance.url, stub, 'incident.acknowledge', declared.id, { triggerId, responsePath: `b${++path}` });
    expect([first.status, second.status]).toEqual([200, 200]);
    await answerTo(firstPath);
    expect((await timeline(instance.url, declared.id)).filter((e) => e.type === 'incident.acknowledged')).toHaveLength(1);
    // The retry was never run, so it has nothing to report.
    await slash(instance.url, stub, 'help');
    expect(stub.responsesTo(`b${path}`)).toHaveLength(0);
  });

  it('refuses a Slack user who is not a responder and changes nothing', async () => {
    const declared = await declareRest(instance.url, { title: 'DNS flapping', severity: 'SEV2' });
    await click(instance.url, stub, 'incident.resolve', declared.id, { user: STRANGER, responsePath: `b${++path}` });
    expect((await answerTo(`b${path}`)).text).toContain('does not know your Slack account');
    expect((await incident(instance.url, declared.id)).status).toBe('triggered');
  });

  it('finds the incident from a number-valued button (#42 or INC-42) and names one it cannot find', async () => {
    const declared = await declareRest(instance.url, { title: 'Cache stampede', severity: 'SEV2' });
    await click(instance.url, stub, 'incident.acknowledge', `INC-${declared.number}`, { responsePath: `b${++path}` });
    await answerTo(`b${path}`);
    expect((await incident(instance.url, declared.id)).status).toBe('acknowledged');
    await click(instance.url, stub, 'incident.acknowledge', 'INC-987654', { responsePath: `b${++path}` });
    expect((await answerTo(`b${path}`)).text).toContain('cannot find (INC-987654)');
  });

  it('answers before the slow part: the click is answered while its response_url post is still held', async () => {
    const declared = await declareRest(instance.url, { title: 'Slow Slack', severity: 'SEV2' });
    stub.holdResponses = true;
    try {
      const res = await click(instance.url, stub, 'incident.acknowledge', declared.id, { responsePath: `b${++path}` });
      expect(res.status).toBe(200);
      // The work went on after the answer: the incident changes and the follow-up is waiting on Slack.
      await eventually(async () => (await incident(instance.url, declared.id)).status === 'acknowledged', { message: 'the acknowledgement' });
      await eventually(() => stub.heldCount > 0, { message: 'the response_url post to be in flight' });
      expect(stub.responsesTo(`b${path}`)).toHaveLength(0);
    } finally {
      stub.holdResponses = false;
      stub.releaseHeld();
    }
    expect((await answerTo(`b${path}`)).text).toContain('You acknowledged');
  });
});
