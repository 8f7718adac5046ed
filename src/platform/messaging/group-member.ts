import { backoff } from './backoff';
import { ConsumerHandle, ConsumerOptions } from './message-transport';
import { MessagingLogger } from './messaging-logger';
import { Signal } from './signal';

/** What every group member is made with; `topic` is the full name (with the prefix). */
export interface MemberSetup {
  options: ConsumerOptions;
  topic: string;
  /** First pause before a failed batch is delivered again; doubles up to 5 s. */
  retryDelayMs: number;
  logger: MessagingLogger;
  /** Called once the member has stopped, so the transport forgets it. */
  onStopped: () => void;
}

/**
 * The shape both adapters' consumers share: one background loop per group member, a `ready`
 * promise, a wake-up signal, the handler-failure backoff and an idempotent stop that lets the
 * in-flight batch finish. An adapter supplies the loop (`run`) and what stopping must cut
 * short (`interrupt`).
 */
export abstract class GroupMember implements ConsumerHandle {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  protected stopped = false;
  /** Wakes the loop: new messages (in-process), a crash or stop (Kafka). */
  protected readonly signal = new Signal();
  private loop?: Promise<void>;
  private readonly pauses = new Set<() => void>();
  private stopping?: Promise<void>;
  protected readonly options: ConsumerOptions;
  protected readonly topic: string;
  protected readonly logger: MessagingLogger;

  constructor(private readonly setup: MemberSetup) {
    this.options = setup.options;
    this.topic = setup.topic;
    this.logger = setup.logger;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
  }

  protected get context() {
    return { groupId: this.options.groupId, topic: this.topic };
  }

  /** Starts the loop; called by the adapter's constructor once its own fields are set. */
  protected begin(): void {
    this.loop = this.run();
  }

  /** Runs until `stopped`, finishing the batch in hand. */
  protected abstract run(): Promise<void>;

  /** Cuts short what the loop may be waiting on (a retry pause, a connection). */
  protected abstract interrupt(): Promise<void>;

  protected markReady(): void {
    this.resolveReady();
  }

  /** Logs a handler failure; returns the pause before the batch is delivered again. */
  protected handlerFailed(error: unknown, failures: number, fields: object = {}): number {
    const delay = backoff(this.setup.retryDelayMs, failures);
    this.logger.error(
      { ...this.context, ...fields, err: error, failures, retryInMs: delay },
      'Consumer handler failed; the batch will be delivered again',
    );
    return delay;
  }

  /** The consumer's batch window after a handled batch; cut short by stop(). */
  protected batchWindow(): Promise<void> {
    const ms = this.options.batchWindowMs ?? 0;
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pauses.add(done);
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.rejectReady(new Error('consumer stopped'));
      this.signal.notify();
      for (const done of [...this.pauses]) done();
      await this.interrupt();
      await this.loop;
      this.setup.onStopped();
    })();
    return this.stopping;
  }
}

/** The consumers a transport started, so that its stop() stops them all. */
export class GroupMembers<C extends ConsumerHandle> {
  private readonly members = new Set<C>();

  constructor(
    private readonly logger: MessagingLogger,
    private readonly retryDelayMs: number,
  ) {}

  /** Creates a member of `options.groupId` on the full topic name `topic`. */
  add(options: ConsumerOptions, topic: string, create: (setup: MemberSetup) => C): C {
    const onStopped = () => this.members.delete(member);
    const member = create({ options, topic, retryDelayMs: this.retryDelayMs, logger: this.logger, onStopped });
    this.members.add(member);
    return member;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members].map((member) => member.stop()));
  }
}
