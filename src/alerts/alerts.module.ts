import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';
import { AlertMetrics } from './alerts.metrics';
import { AlertBatchProcessor } from './consumer/alert-batch.processor';
import { AlertConsumer } from './consumer/alert.consumer';
import { AlertPublisher } from './ingest/alert-publisher';
import { AlertmanagerController } from './ingest/alertmanager.controller';
import { PagerDutyEventsController } from './ingest/pagerduty-events.controller';
import { PagerDutyWebhookController } from './ingest/pagerduty-webhook.controller';

/**
 * Alert ingestion: the source endpoints validate, authenticate per integration and answer only
 * once the `alerts` topic holds the delivery; the consumer turns deliveries into alert rows and
 * incident commands.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [AlertmanagerController, PagerDutyWebhookController, PagerDutyEventsController],
  providers: [AlertMetrics, AlertPublisher, AlertBatchProcessor, AlertConsumer],
})
export class AlertsModule {}
