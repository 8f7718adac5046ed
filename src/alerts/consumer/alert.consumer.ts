import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import {
  ConsumerHandle,
  MESSAGE_TRANSPORT,
  MessageTransport,
  TOPICS,
} from '../../platform/messaging/message-transport';
import { AlertBatchProcessor } from './alert-batch.processor';

/**
 * The alert consumer group: one group for the whole deployment (so each record is applied by
 * one instance), named after the topic prefix so deployments sharing a Kafka cluster stay apart.
 */
@Injectable()
export class AlertConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly groupId: string;
  private handle?: ConsumerHandle;

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly processor: AlertBatchProcessor,
  ) {
    this.groupId = `${config.topicPrefix}sitrep-alerts`;
  }

  /** Starts consuming; with Kafka the group joins in the background. */
  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.transport.consume({
      groupId: this.groupId,
      topic: TOPICS.alerts,
      fromBeginning: true,
      maxWaitMs: 10,
      handleBatch: (messages) => this.processor.handleBatch(messages),
    });
  }

  /** Lets an in-flight batch finish before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }

  /** Resolves once the consumer is positioned (Kafka: group joined). */
  get ready(): Promise<void> {
    return this.handle?.ready ?? Promise.resolve();
  }
}
