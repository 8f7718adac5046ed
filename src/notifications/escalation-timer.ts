import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IncidentCommands, IncidentNotFound } from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { Timer, Timers } from '../platform/timers';
import { EscalationCoverage } from './escalation-coverage';
import { ESCALATING_SEVERITIES } from './notification-planner';
import { NOTIFICATION_SETTINGS, NotificationSettings } from './notification-settings';
import { NotificationMetrics } from './notifications.metrics';

/** One pending escalation per incident (key = incident id), armed by the events consumer. */
export const ESCALATION_TIMER = 'notifications.escalation';

export interface EscalationPayload {
  incidentId: string;
  /** The event that armed it (declared, reopened, raised to SEV1/SEV2). */
  armedSeq: number;
}

/**
 * Fires escalation timers: an incident of SEV1/SEV2 still `triggered` records
 * `incident.escalated` (the consumer turns it into notifications to the deputy, or the email
 * list); any other incident just lets the timer go. The check runs under the incident's row
 * lock in the timer's transaction, so a concurrent acknowledgement either wins or comes after.
 */
@Injectable()
export class EscalationTimer {
  constructor(
    timers: Timers,
    private readonly incidents: IncidentCommands,
    private readonly coverage: EscalationCoverage,
    private readonly metrics: NotificationMetrics,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    timers.register<EscalationPayload>(ESCALATION_TIMER, { fire: (timer, tx) => this.fire(timer, tx) });
  }

  private async fire(timer: Timer<EscalationPayload>, tx: EntityManager): Promise<void> {
    const { plan } = this.settings;
    const incidentId = timer.payload.incidentId ?? timer.key;
    const reason = `not acknowledged within ${plan.ackTimeoutSeconds} s`;
    const fallback = plan.email.enabled && plan.email.to.length > 0 ? 'NOTIFY_EMAIL_TO' : 'nobody (no deputy)';
    try {
      // Takes the incident's row lock first, so the answer below holds until this transaction ends.
      const { incident: current } = await this.incidents.act(incidentId, { actor: 'system', tx }, () => undefined);
      if (await this.coverage.covers(current.service, tx)) return; // an escalation policy pages instead
      const { result } = await this.incidents.act(incidentId, { actor: 'system', tx }, (incident, ctx) => {
        if (incident.status !== 'triggered' || !ESCALATING_SEVERITIES.includes(incident.severity)) return false;
        incident.recordEscalation(incident.roles.deputy ?? fallback, reason, ctx);
        return true;
      });
      if (result) {
        this.metrics.escalations.inc();
        this.logger.info({ incidentId }, 'Escalated an incident not acknowledged in time');
      }
    } catch (error) {
      if (!(error instanceof IncidentNotFound)) throw error;
    }
  }
}
