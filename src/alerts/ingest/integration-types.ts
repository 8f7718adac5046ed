import type { IntegrationTypeSpec } from '../../platform/auth/integration-types';
import type { AlertSource } from '../sources';

/**
 * The alert sources this module ingests, as integration types. Only PagerDuty webhooks are
 * signed (HMAC-SHA256 with a secret we issue); the others authenticate with the key.
 */
export const ALERT_INTEGRATION_TYPES: ReadonlyArray<IntegrationTypeSpec & { type: AlertSource }> = [
  { type: 'alertmanager', signingSecret: false },
  { type: 'pagerduty-webhook', signingSecret: true },
  { type: 'pagerduty-events', signingSecret: false },
];
