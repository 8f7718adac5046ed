import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Public } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import type { SignalsMessage } from '../alert-message';
import { AlertMetrics } from '../alerts.metrics';
import { normaliseAlertmanager } from '../sources';
import { AlertPublisher, integrationKeyFrom, scopedGroupKey } from './alert-publisher';

/**
 * Prometheus Alertmanager webhook (version "4"). One delivery is one alert group; it is
 * accepted (202) once every record of it is durable.
 */
@ApiTags('alerts')
@ApiBearerAuth()
@Public()
@Controller('api/v1/alerts')
export class AlertmanagerController {
  constructor(
    private readonly publisher: AlertPublisher,
    private readonly metrics: AlertMetrics,
  ) {}

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Alertmanager webhook; Authorization: Bearer <integration key>' })
  async receive(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const stop = this.metrics.ingestDuration.startTimer({ source: 'alertmanager' });
    try {
      const integration = await this.publisher.integrationByKey(integrationKeyFrom(authorization), 'alertmanager');
      if (!integration || integration.type !== 'alertmanager') {
        this.metrics.rejected.inc({ source: 'alertmanager', reason: 'unauthorized' });
        throw new AppError(
          'unauthorized',
          'INTEGRATION_KEY_INVALID',
          'Send Authorization: Bearer <key> with the key of an alertmanager integration',
        );
      }
      const result = normaliseAlertmanager(body, integration.id);
      if (!result.ok) {
        this.metrics.rejected.inc({ source: 'alertmanager', reason: 'invalid' });
        const details = result.problems.map((p) => ({ path: p.path || 'body', problem: p.problem }));
        throw new AppError(
          'invalid',
          'INVALID_ALERTMANAGER_PAYLOAD',
          `Not a valid Alertmanager webhook: ${details[0].path} ${details[0].problem}`,
          details,
        );
      }
      const { meta, signals } = result;
      if (signals.length > 0) {
        const head: Omit<SignalsMessage, 'signals' | 'part'> = {
          v: 1,
          kind: 'signals',
          integrationId: integration.id,
          source: 'alertmanager',
          groupKey: scopedGroupKey(integration.id, meta.groupKey),
          receivedAt: new Date().toISOString(),
          requestId: randomUUID(),
          meta: {
            service: integration.service,
            alertmanager: {
              receiver: meta.receiver,
              status: meta.status,
              truncatedAlerts: meta.truncatedAlerts,
              externalURL: meta.externalURL,
              groupLabels: meta.groupLabels,
              commonLabels: meta.commonLabels,
              commonAnnotations: meta.commonAnnotations,
              ...(meta.notificationReason !== undefined ? { notificationReason: meta.notificationReason } : {}),
            },
          },
        };
        await this.publisher.publish(head, signals);
      }
      let firing = 0;
      for (const s of signals) if (s.status === 'firing') firing++;
      if (firing) this.metrics.received.inc({ source: 'alertmanager', status: 'firing' }, firing);
      if (signals.length - firing)
        this.metrics.received.inc({ source: 'alertmanager', status: 'resolved' }, signals.length - firing);
      return { accepted: signals.length };
    } finally {
      stop();
    }
  }
}
