import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Public } from '../../platform/auth/auth.guard';
import { CustomBodyError } from '../../platform/http/error.filter';
import { AlertMetrics } from '../alerts.metrics';
import { truncate } from '../payload-hygiene';
import { normaliseChangeEvent, normalisePagerDutyEvent, PAGERDUTY_ERRORS } from '../sources';
import { AlertPublisher, scopedGroupKey, stableUuid } from './alert-publisher';

const SOURCE = 'pagerduty-events';

/** PagerDuty's own 400 body, so its clients and SDKs understand the refusal. */
function invalidEvent(errors: string[]): CustomBodyError {
  return new CustomBodyError(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

/**
 * PagerDuty Events API v2 (`/v2/enqueue`) and Change Events (`/v2/change/enqueue`), so that
 * anything able to page PagerDuty can page Sitrep. The routing key is the credential: the key
 * of a `pagerduty-events` integration.
 */
@ApiTags('alerts')
@Public()
@Controller('v2')
export class PagerDutyEventsController {
  constructor(
    private readonly publisher: AlertPublisher,
    private readonly metrics: AlertMetrics,
  ) {}

  @Post('enqueue')
  @HttpCode(202)
  @ApiOperation({ summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve an alert' })
  async enqueue(@Body() body: unknown) {
    const stop = this.metrics.ingestDuration.startTimer({ source: SOURCE });
    try {
      const { event: result, integration } = await this.accept(normalisePagerDutyEvent(body));
      const base = {
        v: 1 as const,
        integrationId: integration.id,
        source: SOURCE,
        groupKey: scopedGroupKey(integration.id, result.dedupKey),
        receivedAt: new Date().toISOString(),
        // Each request is its own delivery: a transport redelivery of it is applied once.
        deliveryId: randomUUID(),
        requestId: randomUUID(),
      } as const;
      if (result.action === 'trigger' && result.signal) {
        const signal = { ...result.signal, integrationId: integration.id };
        await this.publisher.publish({ ...base, kind: 'signals', meta: { service: integration.service } }, [signal]);
        this.metrics.received.inc({ source: SOURCE, status: 'firing' });
      } else if (result.action !== 'trigger') {
        await this.publisher.publish(
          {
            ...base,
            kind: 'pd-action',
            meta: { service: integration.service, action: result.action, dedupKey: result.dedupKey },
          },
          [],
        );
        this.metrics.received.inc({
          source: SOURCE,
          status: result.action === 'resolve' ? 'resolved' : 'acknowledged',
        });
      }
      return { status: 'success', message: 'Event processed', dedup_key: result.dedupKey };
    } finally {
      stop();
    }
  }

  @Post('change/enqueue')
  @HttpCode(202)
  @ApiOperation({
    summary: 'PagerDuty Change Events: a deploy or other change, correlated with incidents of its service',
  })
  async change(@Body() body: unknown) {
    const stop = this.metrics.ingestDuration.startTimer({ source: SOURCE });
    try {
      const { event: result, integration } = await this.accept(normaliseChangeEvent(body));
      const change = result.change;
      // As long as an incident's service may be, so that the two can match.
      const service = change.service ? truncate(change.service.trim(), 200) : integration.service;
      // With its own timestamp a change is recognised when sent again; without one, per request.
      const payload = (body as { payload?: { timestamp?: unknown } }).payload;
      const changeId =
        payload?.timestamp !== undefined && payload?.timestamp !== null && payload?.timestamp !== ''
          ? stableUuid(
              integration.id,
              change.timestamp,
              change.summary,
              change.source ?? '',
              JSON.stringify(change.details),
            )
          : randomUUID();
      await this.publisher.publish(
        {
          v: 1,
          kind: 'change',
          integrationId: integration.id,
          source: SOURCE,
          groupKey: scopedGroupKey(integration.id, `change:${service ?? ''}`),
          receivedAt: new Date().toISOString(),
          deliveryId: changeId,
          requestId: randomUUID(),
          meta: { service, changeId, change: { ...change, service } },
        },
        [],
      );
      this.metrics.received.inc({ source: SOURCE, status: 'change' });
      return { status: 'success', message: 'Change event processed' };
    } finally {
      stop();
    }
  }

  /**
   * The integration a valid event's routing key names. An invalid event or an unknown key is a
   * 400 in PagerDuty's own shape, as PagerDuty answers (senders do not retry it).
   */
  private async accept<T extends { ok: true; routingKey: string }>(result: T | { ok: false; errors: string[] }) {
    if (!result.ok) {
      this.metrics.rejected.inc({ source: SOURCE, reason: 'invalid' });
      throw invalidEvent(result.errors);
    }
    const integration = await this.publisher.integrationByKey(result.routingKey, SOURCE);
    if (!integration || integration.type !== SOURCE) {
      this.metrics.rejected.inc({ source: SOURCE, reason: 'unauthorized' });
      throw invalidEvent([PAGERDUTY_ERRORS.routingKeyInvalid]);
    }
    return { event: result, integration };
  }
}
