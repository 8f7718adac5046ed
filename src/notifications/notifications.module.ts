import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { IncidentsModule } from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { ChannelRegistry } from './channels/channel-registry';
import { EMAIL_CLIENT, emailClient, SLACK_CLIENT, slackClient } from './channels/clients';
import { EscalationCoverage } from './escalation-coverage';
import { EscalationTimer } from './escalation-timer';
import { NotificationJobs } from './notification-jobs';
import { NotificationDispatcher } from './notification.dispatcher';
import { NotificationEventsConsumer } from './notification-events.consumer';
import { NOTIFICATION_SETTINGS, NotificationSettings, notificationSettings } from './notification-settings';
import { NotificationMetrics } from './notifications.metrics';
import { NotificationStore } from './persistence/notification.store';

/**
 * Notifications are jobs: the consumer turns incident events into rows keyed by (event,
 * channel, recipient); other modules enqueue message jobs through NotificationJobs; the
 * dispatcher sends both on the registered channels with retries, and records each outcome on
 * the incident's timeline. Escalations are timers of the one timer mechanism.
 */
@Module({
  imports: [IncidentsModule],
  providers: [
    { provide: NOTIFICATION_SETTINGS, useFactory: (config: AppConfig) => notificationSettings(config), inject: [APP_CONFIG] },
    {
      provide: SLACK_CLIENT,
      useFactory: (config: AppConfig, settings: NotificationSettings, logger: AppLogger) => slackClient(config, settings, logger),
      inject: [APP_CONFIG, NOTIFICATION_SETTINGS, APP_LOGGER],
    },
    {
      provide: EMAIL_CLIENT,
      useFactory: (config: AppConfig, settings: NotificationSettings, logger: AppLogger) => emailClient(config, settings, logger),
      inject: [APP_CONFIG, NOTIFICATION_SETTINGS, APP_LOGGER],
    },
    ChannelRegistry,
    NotificationMetrics,
    NotificationStore,
    NotificationDispatcher,
    NotificationEventsConsumer,
    NotificationJobs,
    EscalationTimer,
    EscalationCoverage,
  ],
  exports: [NotificationDispatcher, NotificationEventsConsumer, NotificationJobs, ChannelRegistry, EscalationCoverage],
})
export class NotificationsModule {}
