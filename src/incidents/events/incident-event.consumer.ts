import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { ConsumerHandle, IncomingMessage, MESSAGE_TRANSPORT, MessageTransport, TOPICS } from '../../platform/messaging/message-transport';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { decodeIncidentEvent, IncidentEventMessage } from './incident-event.message';

export interface IncidentEventSubscription {
  /** The consumer group's name without the topic prefix, e.g. `sitrep-paging`. */
  group: string;
  /** Where a group with no committed offset starts: `true` for work that must see every event. */
  fromBeginning: boolean;
  /** Longest wait of an empty fetch; small on latency-sensitive consumers. */
  maxWaitMs?: number;
  /** Pause after a batch so the next one gathers more (ConsumerOptions.batchWindowMs). */
  batchWindowMs?: number;
}

/**
 * The batch window of consumers off the live path (paging, chat, notifications, follow-ups,
 * automations): at most this much later under load, in exchange for one transaction per
 * window rather than one per event, which leaves the CPU to the alert consumer and the
 * timeline during a storm.
 */
export const OFF_LIVE_PATH_WINDOW_MS = 100;

/**
 * The incident-event stream as every consumer reads it: one consumer group per subscriber,
 * each message decoded once; one that is not a known event of a known version is logged with
 * its offset and skipped, never a crash. Offsets are committed after `handle` resolves, so
 * handlers must be idempotent (dedupe by incident + seq).
 */
@Injectable()
export class IncidentEventStream {
  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  groupId(group: string): string {
    return `${this.config.topicPrefix}${group}`;
  }

  consume(
    subscription: IncidentEventSubscription,
    handle: (events: IncidentEventMessage[], messages: IncomingMessage[]) => Promise<void>,
  ): Promise<ConsumerHandle> {
    const groupId = this.groupId(subscription.group);
    return this.transport.consume({
      groupId,
      topic: TOPICS.incidentEvents,
      fromBeginning: subscription.fromBeginning,
      maxWaitMs: subscription.maxWaitMs,
      batchWindowMs: subscription.batchWindowMs,
      handleBatch: async (messages) => {
        const events: IncidentEventMessage[] = [];
        for (const message of messages) {
          const decoded = decodeIncidentEvent(message.value);
          if (decoded.ok) events.push(decoded.message);
          else {
            this.logger.warn(
              { groupId, topic: message.topic, partition: message.partition, offset: message.offset, reason: decoded.reason },
              'Skipped an incident event this version cannot read',
            );
          }
        }
        if (events.length > 0) await handle(events, messages);
      },
    });
  }
}

/**
 * A module's consumer of the incident-event stream: subscribe from bootstrap, stop on
 * shutdown, `ready` for tests. Subclasses say what they do with a batch of events.
 */
export abstract class IncidentEventConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private handle?: ConsumerHandle;

  protected constructor(
    private readonly stream: IncidentEventStream,
    private readonly subscription: IncidentEventSubscription,
  ) {}

  get groupId(): string {
    return this.stream.groupId(this.subscription.group);
  }

  /** Resolves once the consumer is positioned (Kafka: group joined). */
  get ready(): Promise<void> {
    return this.handle?.ready ?? Promise.resolve();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.stream.consume(this.subscription, (events) => this.handleEvents(events));
  }

  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }

  /** One batch of one partition, in seq order per incident; throw to have it delivered again. */
  protected abstract handleEvents(events: IncidentEventMessage[]): Promise<void>;
}
