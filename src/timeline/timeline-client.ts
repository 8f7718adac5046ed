import type { TimelineEntry } from '../incidents';
import type { IncidentSubscription, SubscriberChannel } from './incident-subscription';
import type { TimelineSocket } from './timeline.events';

/**
 * How far a client may fall behind. A socket's backlog is what socket.io's engine holds for it
 * and has not yet handed to the connection (the kernel's socket buffers come before that).
 */
export interface SlowClientPolicy {
  /** A live batch finds more than this many packets still waiting from before: cut. */
  maxBacklogPackets: number;
  /** … or more than this many bytes: cut. */
  maxBacklogBytes: number;
  /** A replay or gap fill sends its next page only once the backlog is at most this many packets. */
  resumeBelowPackets: number;
  /** A replay that waits longer than this for room: cut. */
  drainTimeoutMs: number;
}

export const DEFAULT_SLOW_CLIENT_POLICY: SlowClientPolicy = {
  maxBacklogPackets: 1000,
  maxBacklogBytes: 2 * 1024 * 1024,
  resumeBelowPackets: 100,
  drainTimeoutMs: 10_000,
};

/** The parts of engine.io's per-connection socket this file reads (not in socket.io's types). */
interface EngineConnection {
  writeBuffer: Array<{ data?: unknown }>;
  transport?: { name?: string; socket?: { terminate?: () => void } };
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  close(discard?: boolean): unknown;
}

export interface ClientHooks {
  sent(count: number): void;
  cut(client: TimelineClient, reason: string, error?: unknown): void;
}

/**
 * One connected socket of the timeline namespace: its subscriptions, and the slow-client
 * policy. Sending never waits on the client; a client that does not keep up is disconnected
 * (it reconnects and resumes with `after`), so it never holds back anyone else.
 */
export class TimelineClient implements SubscriberChannel {
  readonly subscriptions = new Map<string, IncidentSubscription>();
  /** Subscribed to every incident (`*`). */
  everything = false;
  private isClosed = false;
  private control: Promise<unknown> = Promise.resolve();

  constructor(
    readonly socket: TimelineSocket,
    private readonly policy: SlowClientPolicy,
    private readonly hooks: ClientHooks,
  ) {}

  get id(): string {
    return this.socket.id;
  }

  get closed(): boolean {
    return this.isClosed || this.socket.disconnected;
  }

  private get engine(): EngineConnection {
    return this.socket.conn as unknown as EngineConnection;
  }

  /** Runs the client's subscribe/unsubscribe requests one at a time, in the order sent. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.control.then(work, work);
    this.control = run.catch(() => undefined);
    return run;
  }

  /** Packets and bytes waiting in the engine for this client. */
  backlog(): { packets: number; bytes: number } {
    const buffer = this.engine.writeBuffer ?? [];
    let bytes = 0;
    for (const packet of buffer) {
      const data = packet.data;
      if (typeof data === 'string') bytes += data.length;
      else if (data && typeof (data as ArrayBufferLike).byteLength === 'number')
        bytes += (data as ArrayBufferLike).byteLength;
    }
    return { packets: buffer.length, bytes };
  }

  /**
   * Called once per live batch before anything of it is sent: false (and the client cut) when
   * it still holds more than the policy allows from earlier batches.
   */
  admit(): boolean {
    if (this.closed) return false;
    const { packets, bytes } = this.backlog();
    if (packets > this.policy.maxBacklogPackets || bytes > this.policy.maxBacklogBytes) {
      this.cut(`too far behind: ${packets} packets (${bytes} bytes) not yet taken`);
      return false;
    }
    return true;
  }

  send(entry: TimelineEntry): void {
    if (this.closed) return;
    this.socket.emit('timeline', entry);
    this.hooks.sent(1);
  }

  ready(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.backlog().packets <= this.policy.resumeBelowPackets) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const engine = this.engine;
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        engine.off('drain', onDrain);
        this.socket.off('disconnect', onGone);
        resolve(ok);
      };
      const onDrain = () => {
        if (this.backlog().packets <= this.policy.resumeBelowPackets) finish(true);
      };
      const onGone = () => finish(false);
      const timer = setTimeout(() => {
        finish(false);
        this.cut(`took nothing for ${this.policy.drainTimeoutMs} ms during a replay`);
      }, this.policy.drainTimeoutMs);
      engine.on('drain', onDrain);
      this.socket.once('disconnect', onGone);
    });
  }

  /** Disconnects the client now, dropping what it has not taken. Idempotent. */
  cut(reason: string, error?: unknown): void {
    if (this.isClosed) return;
    this.close();
    this.hooks.cut(this, reason, error);
    const engine = this.engine;
    // Discard: a plain close would first wait for the buffer to drain, which a stalled client never does.
    engine.close(true);
    // The WebSocket close handshake would wait for the peer too; free the connection at once.
    if (engine.transport?.name === 'websocket') engine.transport.socket?.terminate?.();
  }

  /** Cancels every subscription (disconnect or cut). */
  close(): void {
    this.isClosed = true;
    for (const subscription of this.subscriptions.values()) subscription.cancel();
  }
}
