import type { Namespace, Socket } from 'socket.io';
import type { IncidentView, TimelineEntry } from '../incidents';
import type { Principal } from '../platform/auth/roles';

/**
 * The client events of the live timeline, declared once: what a browser may send and what
 * it receives on socket.io path `/socket.io`, namespace `/timeline`, handshake `auth: {token}`.
 * A missing or bad token is refused with `connect_error` (message `Unauthorized`,
 * `data.code` AUTH_REQUIRED or AUTH_INVALID).
 */
export const TIMELINE_PATH = '/socket.io';
export const TIMELINE_NAMESPACE = '/timeline';
/** `incidentId` that subscribes to every incident, live only, with `incident` snapshots. */
export const ALL_INCIDENTS = '*';

export interface SubscribeRequest {
  /** An incident id, or `*` for every incident. */
  incidentId: string;
  /** The last seq the client has; entries with a greater seq follow. Default 0 (the whole timeline). Ignored for `*`. */
  after?: number;
}

export interface UnsubscribeRequest {
  incidentId: string;
}

export type SubscriptionAck = { ok: true } | { ok: false; code: SubscriptionErrorCode; error: string };

export type SubscriptionErrorCode = 'INVALID_REQUEST' | 'INCIDENT_NOT_FOUND' | 'TOO_MANY_SUBSCRIPTIONS' | 'UNAVAILABLE';

/** Server → client. */
export interface TimelineServerEvents {
  /** One timeline entry; per subscription each seq once, in seq order, with no gap. */
  timeline: (entry: TimelineEntry) => void;
  /** The incident's state after new entries (to `*` subscribers only); versions only increase. */
  incident: (incident: IncidentView) => void;
}

/** Client → server. Both take an acknowledgement callback. */
export interface TimelineClientEvents {
  subscribe: (request: SubscribeRequest, ack?: (result: SubscriptionAck) => void) => void;
  unsubscribe: (request: UnsubscribeRequest, ack?: (result: SubscriptionAck) => void) => void;
}

export type TimelineInterServerEvents = Record<string, never>;

export interface TimelineSocketData {
  principal: Principal;
}

export type TimelineNamespace = Namespace<
  TimelineClientEvents,
  TimelineServerEvents,
  TimelineInterServerEvents,
  TimelineSocketData
>;
export type TimelineSocket = Socket<
  TimelineClientEvents,
  TimelineServerEvents,
  TimelineInterServerEvents,
  TimelineSocketData
>;
