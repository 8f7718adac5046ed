export * from '../domain/alert-signal';
export { alertFingerprint, normaliseAlertmanager, unquoteReceiver } from './alertmanager';
export type { AlertmanagerMeta, AlertmanagerStatus } from './alertmanager';
export { PAGERDUTY_SIGNATURE_HEADER, verifyPagerDutySignature } from './pagerduty-signature';
export type { PagerDutySignatureVerdict } from './pagerduty-signature';
export { normalisePagerDutyWebhook, pagerDutySeverity } from './pagerduty-webhook';
export type { PagerDutyNote, PagerDutyWebhookMeta } from './pagerduty-webhook';
export {
  CUSTOM_DETAILS_MAX_DEPTH,
  EVENT_DEDUP_KEY_MAX,
  generateDedupKey,
  normaliseChangeEvent,
  normalisePagerDutyEvent,
  PAGERDUTY_ERRORS,
  EVENT_SUMMARY_MAX,
} from './pagerduty-events';
export type {
  ChangeEventResult,
  PagerDutyEventAction,
  PagerDutyEventOptions,
  PagerDutyEventResult,
  PagerDutyEventSeverity,
} from './pagerduty-events';
export { KEPT_VALUE_BYTES } from './payload-checks';
