import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { InProcessTransport } from './in-process-transport';
import { KafkaTransport } from './kafka-transport';
import { MessageTransport } from './message-transport';
import { MessagingLogger } from './messaging-logger';

export * from './message-transport';
export * from './messaging-logger';
export * from './transport-errors';
export { MAX_MESSAGE_BYTES, MAX_BATCH_BYTES } from './message-limits';
export { KafkaTransport } from './kafka-transport';
export type { KafkaTransportOptions } from './kafka-transport';
export { InProcessTransport } from './in-process-transport';
export type { InProcessTransportOptions } from './in-process-transport';
export { OutboxRelay } from './outbox-relay';
export type { OutboxRelayOptions } from './outbox-relay';
export type { OutboxEntry, OutboxSession, OutboxSource } from './outbox-source';

/** Kafka when KAFKA_BROKERS is configured, else the PostgreSQL-backed in-process transport. */
export function createTransport(config: AppConfig, dataSource: DataSource, logger: MessagingLogger): MessageTransport {
  if (config.kafka) {
    return new KafkaTransport(
      {
        brokers: config.kafka.brokers,
        clientId: config.kafka.clientId,
        topicPrefix: config.topicPrefix,
        partitions: config.kafka.partitions,
      },
      logger,
    );
  }
  return new InProcessTransport(dataSource, logger, { topicPrefix: config.topicPrefix });
}
