import type { AppConfig } from '../../config/config';
import type { AppLogger } from '../../platform/observability/logger';
import type { NotificationSettings } from '../notification-settings';
import { EmailClient } from './email.client';
import { SlackClient } from './slack.client';

/** Injection tokens of the provider clients (tests and other channels may provide their own). */
export const SLACK_CLIENT = Symbol('SLACK_CLIENT');
export const EMAIL_CLIENT = Symbol('EMAIL_CLIENT');

export function slackClient(config: AppConfig, settings: NotificationSettings, logger: AppLogger): SlackClient {
  return new SlackClient(config.slack, settings.sendTimeoutMs, logger);
}

export function emailClient(config: AppConfig, settings: NotificationSettings, logger: AppLogger): EmailClient {
  return new EmailClient(config.email, settings.sendTimeoutMs, logger);
}
