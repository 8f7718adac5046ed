import { Controller, Headers, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Public } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { AlertMetrics } from '../alerts.metrics';
import { normalisePagerDutyWebhook, verifyPagerDutySignature } from '../sources';
import { AlertPublisher, scopedGroupKey } from './alert-publisher';

/**
 * PagerDuty Webhooks V3. The signature is checked over the raw body bytes before anything
 * looks at the parsed body; a delivery is identified by its `event.id`, so a redelivered
 * webhook is applied once. Unknown event types are accepted and ignored (a 4xx would count
 * toward PagerDuty disabling the subscription).
 */
@ApiTags('alerts')
@Public()
@Controller('api/v1/alerts')
export class PagerDutyWebhookController {
  constructor(
    private readonly publisher: AlertPublisher,
    private readonly metrics: AlertMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  @Post('pagerduty/:integrationId')
  @HttpCode(202)
  @ApiOperation({ summary: 'PagerDuty Webhooks V3 event; X-PagerDuty-Signature: v1=<HMAC-SHA256 of the raw body>' })
  async receive(
    @Param('integrationId') integrationId: string,
    @Headers('x-pagerduty-signature') signature: string | undefined,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ) {
    const source = 'pagerduty-webhook' as const;
    const stop = this.metrics.ingestDuration.startTimer({ source });
    try {
      const integration = await this.publisher.integrationById(integrationId, source);
      const secret = integration?.type === source ? integration.signingSecret : null;
      const verdict =
        secret && request.rawBody ? verifyPagerDutySignature(request.rawBody, signature, [secret]) : 'invalid';
      if (!integration || verdict !== 'valid') {
        this.metrics.rejected.inc({
          source,
          reason: verdict === 'malformed' ? 'signature_malformed' : 'signature_invalid',
        });
        throw new AppError(
          'unauthorized',
          verdict === 'malformed' ? 'PAGERDUTY_SIGNATURE_MALFORMED' : 'PAGERDUTY_SIGNATURE_INVALID',
          verdict === 'malformed'
            ? 'X-PagerDuty-Signature is missing or has no v1=<hex> entry'
            : 'X-PagerDuty-Signature does not match this integration’s secret',
        );
      }

      const result = normalisePagerDutyWebhook(request.body, integration.id);
      if (!result.ok) {
        this.metrics.rejected.inc({ source, reason: 'invalid' });
        const details = result.problems.map((p) => ({ path: p.path || 'body', problem: p.problem }));
        throw new AppError(
          'invalid',
          'INVALID_PAGERDUTY_WEBHOOK',
          `Not a valid PagerDuty V3 webhook: ${details[0].path} ${details[0].problem}`,
          details,
        );
      }
      const { meta } = result;
      const base = {
        v: 1 as const,
        integrationId: integration.id,
        source,
        receivedAt: new Date().toISOString(),
        deliveryId: meta.eventId,
        requestId: randomUUID(),
      };
      if (meta.ignored) {
        this.logger.debug(
          { integrationId: integration.id, eventId: meta.eventId, eventType: meta.eventType },
          'PagerDuty event type ignored',
        );
        return { accepted: 0 };
      }
      if (meta.annotation) {
        const note = meta.annotation;
        await this.publisher.publish(
          {
            ...base,
            kind: 'pd-annotation',
            groupKey: scopedGroupKey(integration.id, note.incidentId),
            meta: {
              service: integration.service,
              incidentId: note.incidentId,
              noteId: note.noteId,
              content: note.content,
              trimmed: note.trimmed,
              agent: meta.agent?.summary ?? null,
              occurredAt: meta.occurredAt,
            },
          },
          [],
        );
        this.metrics.received.inc({ source, status: 'annotation' });
        return { accepted: 1 };
      }
      const signals = result.signals;
      if (signals.length === 0) return { accepted: 0 };
      await this.publisher.publish(
        {
          ...base,
          kind: 'signals',
          groupKey: scopedGroupKey(integration.id, signals[0].groupKey),
          meta: {
            service: integration.service,
            pagerduty: {
              eventId: meta.eventId,
              eventType: meta.eventType,
              occurredAt: meta.occurredAt,
              agent: meta.agent?.summary ?? null,
            },
          },
        },
        signals,
      );
      for (const s of signals) this.metrics.received.inc({ source, status: s.status });
      return { accepted: signals.length };
    } finally {
      stop();
    }
  }
}
