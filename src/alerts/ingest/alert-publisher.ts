import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError } from '../../platform/http/app-error';
import { IntegrationCredentials, IntegrationService } from '../../platform/auth/integration.service';
import { MESSAGE_TRANSPORT, MessageTransport, TOPICS } from '../../platform/messaging/message-transport';
import { withTimeout } from '../../platform/messaging/signal';
import { MessageTooLargeError, TransportUnavailableError } from '../../platform/messaging/transport-errors';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { AlertMessageHead, encodeAlertMessages } from '../alert-message';
import { AlertMetrics } from '../alerts.metrics';
import { boundedKey } from '../payload-hygiene';
import type { AlertSignal, AlertSource } from '../sources';

/** A publish not acknowledged by then is a 503 (the Kafka transport gives up at 2 s itself). */
export const PUBLISH_DEADLINE_MS = 2500;
/** Seconds a sender is asked to wait after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** The source's group key scoped by integration: the record key and the incidents' group_key (bounded). */
export function scopedGroupKey(integrationId: string, groupKey: string): string {
  return `${integrationId}:${boundedKey(groupKey)}`;
}

/** A UUID derived from the parts (for ids that must come out the same on a retry). */
export function stableUuid(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  const b = hash.digest();
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The integration key from `Bearer <key>` or, for Alertmanager's basic_auth, the password. */
export function integrationKeyFrom(authorization: string | string[] | undefined): string | null {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!value) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/**
 * The ingestion side of the alerts topic: credential look-ups and publishing, with every
 * transient fault (database or transport unreachable, no acknowledgement in time) turned into a
 * 503 with Retry-After — never a 4xx, which Alertmanager and PagerDuty would drop for good.
 */
@Injectable()
export class AlertPublisher {
  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    private readonly integrations: IntegrationService,
    private readonly metrics: AlertMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async integrationByKey(key: string | null, source: AlertSource): Promise<IntegrationCredentials | null> {
    if (!key) return null;
    return this.lookup(this.integrations.findByKey(key), source);
  }

  async integrationById(id: string, source: AlertSource): Promise<IntegrationCredentials | null> {
    return this.lookup(this.integrations.findById(id), source);
  }

  private async lookup(work: Promise<IntegrationCredentials | null>, source: AlertSource) {
    try {
      return await work;
    } catch (error) {
      this.metrics.rejected.inc({ source, reason: 'unavailable' });
      this.logger.warn({ err: error, source }, 'Integration look-up failed; answering 503');
      throw unavailable('The integration could not be looked up; retry later');
    }
  }

  /** Publishes one delivery (split into records as needed); resolves once every record is durable. */
  async publish(head: AlertMessageHead, signals: AlertSignal[]): Promise<void> {
    const messages = encodeAlertMessages(head, signals);
    const context = {
      source: head.source,
      integrationId: head.integrationId,
      groupKey: head.groupKey,
      requestId: head.requestId,
      deliveryId: head.deliveryId,
      records: messages.length,
      signals: signals.length,
    };
    try {
      await withTimeout(
        this.transport.publish(TOPICS.alerts, messages),
        PUBLISH_DEADLINE_MS,
        () => new TransportUnavailableError(`The transport did not acknowledge within ${PUBLISH_DEADLINE_MS} ms`),
      );
    } catch (error) {
      if (error instanceof MessageTooLargeError) {
        // Cannot happen with records split below the limit; refuse rather than retry forever.
        this.metrics.rejected.inc({ source: head.source, reason: 'too_large' });
        this.logger.error({ err: error, ...context }, 'Alert record refused as too large');
        throw new AppError(
          'too_large',
          'ALERT_RECORD_TOO_LARGE',
          'The alert payload cannot be stored: a single alert is too large',
        );
      }
      this.metrics.rejected.inc({ source: head.source, reason: 'unavailable' });
      this.logger.warn({ err: error, ...context }, 'Alert publish failed; answering 503');
      throw unavailable('Alerts cannot be stored durably right now; retry later');
    }
    this.metrics.recordsPublished.inc({ source: head.source }, messages.length);
    this.logger.debug(context, 'Alert delivery published');
  }
}

function unavailable(message: string): AppError {
  return new AppError('unavailable', 'ALERT_INGEST_UNAVAILABLE', message, undefined, RETRY_AFTER_SECONDS);
}
