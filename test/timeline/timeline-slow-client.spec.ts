import { startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { addNote, declareIncident, metricValue, range, TimelineClient } from './timeline-support';

const CUT = 'sitrep_timeline_clients_cut_total';
const CONNECTED = 'sitrep_timeline_connected_clients';

/** Stops reading the client's WebSocket: the server's sends pile up in the kernel, then in the engine. */
function stopReading(client: TimelineClient): void {
  const transport = client.socket.io.engine.transport as unknown as {
    name: string;
    ws: { _socket: { pause(): void } };
  };
  expect(transport.name).toBe('websocket');
  transport.ws._socket.pause();
}

describe('timeline: a client that stops reading', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  const clients: TimelineClient[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('timeline_slow');
    instance = await startApp(databaseUrl);
    url = instance.url;
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('does not slow delivery to others, and is disconnected once it falls too far behind', async () => {
    const incidents = await Promise.all(range(1, 4).map((i) => declareIncident(url, `Busy incident ${i}`)));
    const stalled = await TimelineClient.connect(url);
    const healthy = await TimelineClient.connect(url);
    clients.push(stalled, healthy);
    const arrivals = new Map<string, number>();
    healthy.socket.on('timeline', (entry: { incidentId: string; seq: number }) =>
      arrivals.set(`${entry.incidentId}/${entry.seq}`, Date.now()),
    );
    for (const id of incidents) {
      expect(await stalled.subscribe(id)).toEqual({ ok: true });
      expect(await healthy.subscribe(id)).toEqual({ ok: true });
    }
    for (const id of incidents) {
      await stalled.waitFor(id, 1);
      await healthy.waitFor(id, 1);
    }
    await eventually(async () => (await metricValue(url, CONNECTED)) === 2, { message: 'two connected clients' });
    stopReading(stalled);

    // Large notes, written until the server gives up on the stalled client (a few MB of kernel
    // buffers, then the engine's backlog limit), and a little beyond.
    const text = 'x'.repeat(9000);
    const written = new Map<string, number>();
    let wave = 0;
    const writeWave = async () => {
      wave++;
      await Promise.all(
        range(1, 16).map(async (i) => {
          const entry = await addNote(url, incidents[i % incidents.length], text);
          written.set(`${entry.incidentId}/${entry.seq}`, Date.now());
        }),
      );
    };
    while ((await metricValue(url, CUT)) < 1) {
      expect(wave).toBeLessThan(250); // ~36 MB: far more than any buffer on the way
      await writeWave();
    }
    for (let i = 0; i < 5; i++) await writeWave();
    await eventually(async () => (await metricValue(url, CONNECTED)) === 1, {
      message: 'the stalled client to be dropped',
    });

    // The healthy client got everything, in order, once, and each entry promptly.
    for (const id of incidents) {
      const seqs = [...written.keys()].filter((k) => k.startsWith(id)).map((k) => Number(k.split('/')[1]));
      await healthy.waitFor(id, Math.max(...seqs), 15_000);
      expect(healthy.seqs(id)).toEqual(range(1, Math.max(...seqs)));
    }
    const lags = [...written].map(([key, at]) => (arrivals.get(key) ?? Infinity) - at);
    const worst = Math.max(...lags);
    expect(worst).toBeLessThan(2000);
    // The stalled client got far less than was written before it was let go.
    expect(stalled.entries.length).toBeLessThan(written.size / 2);
  });
});
