import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { IntegrationTypes } from '../platform/auth/integration-types';
import { AlertMetrics } from './alerts.metrics';
import { AlertBatchProcessor } from './consumer/alert-batch.processor';
import { AlertConsumer } from './consumer/alert.consumer';
import { AlertPublisher } from './ingest/alert-publisher';
import { ALERT_INTEGRATION_TYPES } from './ingest/integration-types';
import { AlertmanagerController } from './ingest/alertmanager.controller';
import { PagerDutyEventsController } from './ingest/pagerduty-events.controller';
import { PagerDutyWebhookController } from './ingest/pagerduty-webhook.controller';
import { MaintenanceRelease } from './maintenance/maintenance-release';
import { MaintenanceWindows } from './maintenance/maintenance-windows';
import { MaintenanceWindowsController } from './maintenance/maintenance-windows.controller';
import { MaintenanceMetrics } from './maintenance/maintenance.metrics';
import { GetIncidentAlertsHandler } from './queries/get-incident-alerts.query';
import { IncidentAlertsController } from './queries/incident-alerts.controller';

/**
 * Alert ingestion: the source endpoints validate, authenticate per integration and answer only
 * once the `alerts` topic holds the delivery; the consumer turns deliveries into alert rows and
 * incident commands. Maintenance windows hold the alerts of their services until they end.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [
    AlertmanagerController,
    PagerDutyWebhookController,
    PagerDutyEventsController,
    IncidentAlertsController,
    MaintenanceWindowsController,
  ],
  providers: [
    AlertMetrics,
    AlertPublisher,
    AlertBatchProcessor,
    AlertConsumer,
    GetIncidentAlertsHandler,
    MaintenanceMetrics,
    MaintenanceWindows,
    MaintenanceRelease,
  ],
})
export class AlertsModule {
  constructor(integrationTypes: IntegrationTypes) {
    // While the application is built: before the first request and the API document.
    integrationTypes.register(...ALERT_INTEGRATION_TYPES);
  }
}
