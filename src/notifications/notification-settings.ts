import type { AppConfig } from '../config/config';
import type { PlanSettings } from './notification-planner';
import { defaultRules } from './notification-rules';
import { readRulesFile } from './rules-file';
import type { CoalesceSettings } from './persistence/notification.store';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './retry-policy';

/** Everything the notifications module is tuned by, derived once from AppConfig. */
export interface NotificationSettings {
  plan: PlanSettings;
  publicUrl: string;
  retry: RetryPolicy;
  coalesce: CoalesceSettings;
  /** Timeout of one Slack or SMTP call. */
  sendTimeoutMs: number;
  /** How long a claimed job is ours: 4 × sendTimeoutMs (a job makes at most three calls). */
  leaseMs: number;
  /** Shutdown waits this long for sends in flight (half the send timeout), then abandons them to their lease. */
  shutdownGraceMs: number;
  /** Sends in flight per instance (one per gate at a time). */
  concurrency: number;
  /** Longest idle wait of the dispatcher loop (jobs of other instances, gates opening). */
  pollMaxMs: number;
  /** After a 429, a Slack gate sends at most one message per slackPaceMs for slackPaceWindowMs. */
  slackPaceMs: number;
  slackPaceWindowMs: number;
}

export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');

export function notificationSettings(config: AppConfig): NotificationSettings {
  const sendTimeoutMs = config.notifySendTimeoutMs;
  return {
    plan: {
      rules: config.notifyRulesFile ? readRulesFile(config.notifyRulesFile) : defaultRules(config.notifyMinSeverity),
      slack: { enabled: Boolean(config.slack.botToken), channel: config.slack.channel },
      email: { enabled: Boolean(config.email.smtpUrl), to: config.email.notifyTo },
      ackTimeoutSeconds: config.ackTimeoutSeconds,
      maxEventAgeMs: 24 * 60 * 60 * 1000,
    },
    publicUrl: config.publicUrl,
    retry: { ...DEFAULT_RETRY_POLICY, baseMs: config.notifyRetryBaseMs },
    coalesce: { quietMs: 2000, maxDelayMs: 10_000 },
    sendTimeoutMs,
    leaseMs: 4 * sendTimeoutMs,
    shutdownGraceMs: Math.round(sendTimeoutMs / 2),
    concurrency: 16,
    pollMaxMs: 1000,
    slackPaceMs: 1050,
    slackPaceWindowMs: 60_000,
  };
}

/**
 * Start-up's early check (main.ts, right after loadConfig): a bad NOTIFY_RULES_FILE throws the
 * ConfigError that stops start-up with one line and exit code 78, before anything else starts.
 */
export function checkNotificationConfig(config: AppConfig): void {
  notificationSettings(config);
}
