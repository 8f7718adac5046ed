import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { ADMIN_TOKEN, call } from '../support/app';
import { eventually } from '../support/database';

export interface Entry {
  seq: number;
  incidentId: string;
  type: string;
  occurredAt: string;
  actor: string;
  data: Record<string, any>;
}

export interface Ack {
  ok: boolean;
  code?: string;
  error?: string;
}

/** A socket.io client of the timeline namespace that records what it receives. */
export class TimelineClient {
  readonly entries: Entry[] = [];
  readonly snapshots: any[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('timeline', (entry: Entry) => this.entries.push(entry));
    socket.on('incident', (incident: any) => this.snapshots.push(incident));
  }

  /** Connects and resolves once connected; rejects with the connect_error. */
  static async connect(
    url: string,
    token: string | null = ADMIN_TOKEN,
    options: Partial<ManagerOptions & SocketOptions> = {},
  ): Promise<TimelineClient> {
    const socket = io(`${url}/timeline`, {
      path: '/socket.io',
      auth: token === null ? {} : { token },
      reconnection: false,
      forceNew: true,
      transports: ['websocket'],
      ...options,
    });
    const client = new TimelineClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
    return client;
  }

  subscribe(incidentId: string, after?: number): Promise<Ack> {
    return this.socket
      .timeout(10_000)
      .emitWithAck('subscribe', after === undefined ? { incidentId } : { incidentId, after });
  }

  unsubscribe(incidentId: string): Promise<Ack> {
    return this.socket.timeout(10_000).emitWithAck('unsubscribe', { incidentId });
  }

  of(incidentId: string): Entry[] {
    return this.entries.filter((e) => e.incidentId === incidentId);
  }

  seqs(incidentId: string): number[] {
    return this.of(incidentId).map((e) => e.seq);
  }

  /** Waits until an entry of the incident with at least this seq arrived. */
  async waitFor(incidentId: string, seq: number, timeoutMs = 10_000): Promise<void> {
    await eventually(() => this.of(incidentId).some((e) => e.seq >= seq), {
      timeoutMs,
      message: `seq ${seq} of ${incidentId} (have up to ${Math.max(0, ...this.seqs(incidentId))})`,
    });
  }

  /** Waits until an `incident` snapshot of the incident matches. */
  async waitForSnapshot(incidentId: string, match: (snapshot: any) => boolean, timeoutMs = 10_000): Promise<any> {
    return eventually(() => this.snapshots.find((s) => s.id === incidentId && match(s)), {
      timeoutMs,
      message: `a snapshot of ${incidentId}`,
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export async function declareIncident(url: string, title = 'Checkout 5xx'): Promise<string> {
  const res = await call(url, 'POST', '/api/v1/incidents', { body: { title, severity: 'SEV2', service: 'checkout' } });
  if (res.status !== 201) throw new Error(`declare failed: ${res.status} ${res.text}`);
  return res.body.id;
}

export async function addNote(url: string, incidentId: string, text: string): Promise<Entry> {
  const res = await call(url, 'POST', `/api/v1/incidents/${incidentId}/notes`, { body: { text } });
  if (res.status !== 201) throw new Error(`note failed: ${res.status} ${res.text}`);
  return res.body;
}

/** Writes `count` notes, at most `concurrency` at a time. */
export async function addNotes(
  url: string,
  incidentId: string,
  count: number,
  concurrency = 1,
  text = (i: number) => `note ${i}`,
): Promise<Entry[]> {
  const written: Entry[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        written.push(await addNote(url, incidentId, text(i)));
      }
    }),
  );
  return written.sort((a, b) => a.seq - b.seq);
}

/** The timeline's last seq, over REST. */
export async function lastSeq(url: string, incidentId: string): Promise<number> {
  let after = 0;
  for (;;) {
    const res = await call(url, 'GET', `/api/v1/incidents/${incidentId}/timeline?after=${after}&limit=1000`);
    if (res.status !== 200) throw new Error(`timeline failed: ${res.status}`);
    if (res.body.items.length) after = res.body.items[res.body.items.length - 1].seq;
    if (res.body.nextAfter === null) return after;
  }
}

export async function metricValue(url: string, name: string): Promise<number> {
  const res = await call(url, 'GET', '/metrics', { token: null });
  const line = res.text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}
