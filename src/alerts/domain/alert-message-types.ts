import type { AlertSignal, AlertSource, ChangeEvent } from './alert-signal';

/**
 * The `alerts` topic's integration event, version 1: one record per delivery per group,
 * keyed by the group scoped by integration (`${integrationId}:${groupKey}`), so one consumer
 * sees a group in order. A group too large for one record (Kafka refuses ≥ 1 MiB) is split
 * into parts, each a complete message of its own.
 *
 * On the wire a signal leaves out what the envelope or its own annotations already say
 * (source, integration, group, summary = annotations.summary, …); decoding puts it back.
 */
export const ALERT_MESSAGE_VERSION = 1;

export type AlertMessageKind = 'signals' | 'pd-action' | 'pd-annotation' | 'change';

/** Largest record we produce: below the transport's 1 MB limit and its 900 KB batch. */
export const MAX_RECORD_BYTES = 800_000;

interface Envelope<K extends AlertMessageKind, M> {
  v: typeof ALERT_MESSAGE_VERSION;
  kind: K;
  integrationId: string;
  source: AlertSource;
  /** Scoped by integration: `${integrationId}:${source group key}`; also the record key. */
  groupKey: string;
  receivedAt: string;
  /** Identifies a delivery that must be applied once (PagerDuty event.id, Events API request). */
  deliveryId?: string;
  /** Correlation id of the HTTP request, for logs. */
  requestId: string;
  /** Present when one delivery was split into several records. */
  part?: { index: number; count: number };
  signals: AlertSignal[];
  meta: M;
}

export interface AlertmanagerDeliveryMeta {
  receiver: string;
  status: 'firing' | 'resolved';
  truncatedAlerts: number;
  externalURL: string | null;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  notificationReason?: string;
}

export interface PagerDutyDeliveryMeta {
  eventId: string;
  eventType: string;
  occurredAt: string | null;
  /** Who acted in PagerDuty (agent summary). */
  agent: string | null;
}

export interface SignalsMeta {
  /** The integration's configured service. */
  service: string | null;
  alertmanager?: AlertmanagerDeliveryMeta;
  pagerduty?: PagerDutyDeliveryMeta;
}

export interface ActionMeta {
  service: string | null;
  action: 'acknowledge' | 'resolve';
  dedupKey: string;
}

export interface AnnotationMeta {
  service: string | null;
  /** The PagerDuty incident id (the alert's identity). */
  incidentId: string;
  noteId: string | null;
  content: string;
  trimmed: boolean;
  agent: string | null;
  occurredAt: string | null;
}

export interface ChangeMeta {
  service: string | null;
  changeId: string;
  change: ChangeEvent;
}

export type SignalsMessage = Envelope<'signals', SignalsMeta>;
export type ActionMessage = Envelope<'pd-action', ActionMeta>;
export type AnnotationMessage = Envelope<'pd-annotation', AnnotationMeta>;
export type ChangeMessage = Envelope<'change', ChangeMeta>;
export type AlertMessage = SignalsMessage | ActionMessage | AnnotationMessage | ChangeMessage;

type HeadOf<T> = T extends unknown ? Omit<T, 'signals' | 'part'> : never;
/** What every record of a delivery shares; `signals` and `part` are filled by encoding. */
export type AlertMessageHead = HeadOf<AlertMessage>;

