import { backoff } from './backoff';
import { MessagingLogger } from './messaging-logger';
import { closeQuietly, ownConnection } from './own-connection';
import { Signal } from './signal';
import type { DataSource } from 'typeorm';

/** Every insert into transport_messages notifies this channel, once per topic, on commit. */
export const TRANSPORT_CHANNEL = 'sitrep_transport';

/**
 * Hears the inserts other processes make into the in-process transport's log, so that this
 * process's consumers wake at once rather than at their next fallback poll: with several
 * instances on one database, the timeline fan-out of one instance sees what another
 * instance's relay published. Runs on a connection of its own and reconnects with backoff;
 * while it is down, the poll still finds everything.
 */
export class InsertListener {
  private stopped = false;
  /** Woken by stop() and by the connection ending. */
  private readonly wake = new Signal();
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onInsert: (topic: string) => void,
    private readonly logger: MessagingLogger,
  ) {}

  /** Starts listening in the background; idempotent. */
  start(): void {
    if (!this.stopped) this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const client = ownConnection(this.dataSource, 'sitrep-transport-listener');
      let broken = false;
      const onEnd = () => {
        broken = true;
        this.wake.notify();
      };
      client.on('error', onEnd);
      client.on('end', onEnd);
      client.on('notification', ({ channel, payload }) => {
        if (channel === TRANSPORT_CHANNEL && payload) this.onInsert(payload);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${TRANSPORT_CHANNEL}`);
        attempt = 0;
        while (!this.stopped && !broken) await this.wake.wait();
        if (broken && !this.stopped)
          this.logger.warn({}, 'In-process transport listener lost its connection; reconnecting');
      } catch (error) {
        if (!this.stopped) {
          this.logger.warn(
            { err: error, attempt },
            'In-process transport listener cannot connect; consumers poll meanwhile',
          );
        }
      }
      await closeQuietly(client);
      if (!this.stopped) await this.wake.wait(backoff(500, attempt, 10_000));
    }
  }
}
