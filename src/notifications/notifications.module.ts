import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { IncidentsModule } from '../incidents/incidents.module';
import { NotificationDispatcher } from './notification.dispatcher';
import { NotificationEventsConsumer } from './notification-events.consumer';
import { NOTIFICATION_SETTINGS, notificationSettings } from './notification-settings';
import { NotificationMetrics } from './notifications.metrics';
import { NotificationStore } from './persistence/notification.store';

/**
 * Notifications are jobs: the consumer turns incident events into rows keyed by (event,
 * channel, recipient); the dispatcher sends them to Slack and by email with retries, and
 * records each outcome on the incident's timeline. Escalation timers are rows too.
 */
@Module({
  imports: [IncidentsModule],
  providers: [
    { provide: NOTIFICATION_SETTINGS, useFactory: (config: AppConfig) => notificationSettings(config), inject: [APP_CONFIG] },
    NotificationMetrics,
    NotificationStore,
    NotificationDispatcher,
    NotificationEventsConsumer,
  ],
  exports: [NotificationDispatcher, NotificationEventsConsumer],
})
export class NotificationsModule {}
