import { createServer } from 'node:net';
import { TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { SlackStub } from '../notifications/slack-stub';
import { ChatDb, declareRest, linkedChannel, putResponders, startChatApp } from './support';

/** A port nothing listens on: Slack is unreachable. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Chat jobs survive a restart', () => {
  let databaseUrl: string;
  let stub: SlackStub;
  let db: ChatDb;
  let instance: TestApp | undefined;

  beforeAll(async () => {
    stub = await SlackStub.start();
    databaseUrl = await createTestDatabase('chatops_restart');
    db = await ChatDb.connect(databaseUrl);
  });
  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await stub?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('creates the channel after a restart when Slack was down before it, once', async () => {
    instance = await startChatApp(databaseUrl, stub, { SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/` });
    await putResponders(instance.url);
    const declared = await declareRest(instance.url, { title: 'Slack is down', severity: 'SEV1', commander: 'bob' });
    await eventually(async () => (await db.jobs(declared.id)).some((j) => j.kind === 'create_channel' && j.attempts > 0), {
      message: 'a failed attempt at creating the channel',
    });
    await instance.close();

    instance = await startChatApp(databaseUrl, stub);
    const chat = await linkedChannel(instance.url, declared.id);
    expect(chat.channelName).toBe(`inc-${declared.number}-slack-is-down`);
    await eventually(() => stub.channelNamed(chat.channelName)?.members.includes('U0DEF456'), { message: 'the commander invited' });
    expect(stub.callsOf('conversations.create')).toHaveLength(1);
    const jobs = await eventually(
      async () => {
        const all = await db.jobs(declared.id);
        return all.every((j) => j.status !== 'pending') && all;
      },
      { message: 'the chat jobs to settle' },
    );
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([
      ['create_channel', 'done'],
      ['invite', 'done'], // the declarer (the admin token: no Slack user)
      ['invite', 'done'], // the commander
    ]);
  });
});
