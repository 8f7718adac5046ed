import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { AutomationEngine } from './automation-engine';
import { AutomationEventsConsumer } from './automation-events.consumer';
import { Automations } from './automations';
import { AutomationMetrics } from './automations.metrics';
import { AutomationsController } from './http/automations.controller';
import { AutomationRunsController } from './http/runs.controller';
import { RunnerApiController, RunnersController } from './http/runners.controller';
import { PageHolds } from './page-holds';
import { Runners } from './runners';
import { WebhookWorker } from './webhook-worker';

/** Runbook automation: automations, runs (webhooks here, scripts on runners), verification, held pages. */
@Module({
  imports: [IncidentsModule],
  controllers: [AutomationsController, AutomationRunsController, RunnersController, RunnerApiController],
  providers: [
    Automations,
    Runners,
    AutomationEngine,
    AutomationMetrics,
    AutomationEventsConsumer,
    WebhookWorker,
    PageHolds,
  ],
  exports: [PageHolds, AutomationEventsConsumer],
})
export class AutomationsModule {}
