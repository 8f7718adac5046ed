/**
 * The notifications module's public surface: send to people and channels as durable jobs
 * (NotificationJobs), and add channels (ChannelRegistry + the Channel interface). Import the
 * module (`imports: [NotificationsModule]`) to inject them.
 */
export { NotificationsModule } from './notifications.module';
export { NotificationJobs, InvalidMessageJob } from './notification-jobs';
export type { MessageJob } from './notification-jobs';
export { ChannelRegistry } from './channels/channel-registry';
export type { Channel, Delivery, OutboundMessage } from './channels/channel';
export { DeliveryError, SendAbandoned } from './channels/delivery-error';
export type { DeliveryErrorKind } from './channels/delivery-error';
export { checkNotificationConfig } from './notification-settings';
export { EscalationCoverage } from './escalation-coverage';
// The incident's Slack buttons (announcement and page DMs); chatops answers their action ids.
export { actionsBlock } from './channels/slack-message';
export type { EscalationCheck } from './escalation-coverage';
