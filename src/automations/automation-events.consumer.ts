import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { decodeIncidentEvent } from '../incidents';
import {
  ConsumerHandle,
  IncomingMessage,
  MESSAGE_TRANSPORT,
  MessageTransport,
  TOPICS,
} from '../platform/messaging/message-transport';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { AutomationEngine } from './automation-engine';

/**
 * Automation's own consumer group on the incident-event stream: a firing alert attached to an
 * incident is matched against the automations (each decides once per alert occurrence, so a
 * redelivery or a resend changes nothing); an alert resolving may verify a run.
 */
@Injectable()
export class AutomationEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly groupId: string;
  private handle?: ConsumerHandle;

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly db: DataSource,
    private readonly engine: AutomationEngine,
  ) {
    this.groupId = `${config.topicPrefix}sitrep-automations`;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.transport.consume({
      groupId: this.groupId,
      topic: TOPICS.incidentEvents,
      fromBeginning: true,
      maxWaitMs: 100,
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }

  get ready(): Promise<void> {
    return this.handle?.ready ?? Promise.resolve();
  }

  async handleBatch(messages: IncomingMessage[]): Promise<void> {
    for (const message of messages) {
      const decoded = decodeIncidentEvent(message.value);
      if (!decoded.ok) {
        this.logger.warn(
          { topic: message.topic, offset: message.offset, reason: decoded.reason },
          'Automation skipped an incident event it cannot read',
        );
        continue;
      }
      const event = decoded.message;
      if (event.type === 'alert.attached' && event.data.firing) {
        const alert = (await this.engine.alertsOf(event.incidentId).catch((error) => skipUnknown(error))).find(
          (a) => a.alertId === event.data.alertId,
        );
        if (!alert) continue;
        await this.db.transaction((tx) => this.engine.decideForAlert(event.incidentId, alert, tx));
      } else if (event.type === 'alert.resolved') {
        await this.engine.alertResolved(event.incidentId);
      }
    }
  }
}

/** An incident the service does not know (another deployment's topic) is skipped, not retried forever. */
function skipUnknown(error: unknown): [] {
  if ((error as { kind?: string }).kind === 'not_found') return [];
  throw error;
}
