import type { IntegrationTypeSpec } from '../../platform/auth/integration-types';
import { ALERT_SOURCES, AlertSource } from '../domain/alert-signal';

/**
 * Which sources sign their deliveries with a secret we issue: only PagerDuty webhooks
 * (HMAC-SHA256); the others authenticate with the integration key. A Record, so a new source
 * in ALERT_SOURCES cannot be registered without saying.
 */
const SIGNED: Record<AlertSource, boolean> = {
  alertmanager: false,
  'pagerduty-webhook': true,
  'pagerduty-events': false,
};

/** Every alert source this module ingests, as an integration type. */
export const ALERT_INTEGRATION_TYPES: IntegrationTypeSpec[] = ALERT_SOURCES.map((type) => ({
  type,
  signingSecret: SIGNED[type],
}));
