import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  IncidentEventConsumer,
  OFF_LIVE_PATH_WINDOW_MS,
  IncidentEventMessage,
  IncidentEventStream,
} from '../incidents';
import { AutomationEngine } from './automation-engine';

/**
 * Automation's own consumer group on the incident-event stream: a firing alert attached to an
 * incident is matched against the automations (each decides once per alert occurrence, so a
 * redelivery or a resend changes nothing); an alert resolving may verify a run.
 */
@Injectable()
export class AutomationEventsConsumer extends IncidentEventConsumer {
  constructor(
    stream: IncidentEventStream,
    private readonly db: DataSource,
    private readonly engine: AutomationEngine,
  ) {
    super(stream, {
      group: 'sitrep-automations',
      fromBeginning: true,
      maxWaitMs: 100,
      batchWindowMs: OFF_LIVE_PATH_WINDOW_MS,
    });
  }

  /**
   * A storm attaches thousands of alerts: the enabled automations are read once per batch and
   * each incident's alerts once per batch, and only an alert some automation matches goes on
   * to a decision (one transaction, under the automations' row locks).
   */
  async handleEvents(events: IncidentEventMessage[]): Promise<void> {
    const firing = new Map<string, Set<string>>();
    const resolvedIn = new Set<string>();
    for (const event of events) {
      if (event.type === 'alert.attached' && event.data.firing) {
        const ids = firing.get(event.incidentId) ?? new Set<string>();
        firing.set(event.incidentId, ids.add(event.data.alertId));
      } else if (event.type === 'alert.resolved') {
        resolvedIn.add(event.incidentId);
      }
    }
    const matchers = firing.size > 0 ? await this.engine.enabledMatchers() : [];
    if (matchers.length > 0) {
      for (const [incidentId, alertIds] of firing) {
        const alerts = await this.engine.alertsOf(incidentId).catch((error) => skipUnknown(error));
        for (const alert of alerts) {
          if (!alertIds.has(alert.alertId) || !AutomationEngine.anyMatches(matchers, alert)) continue;
          await this.db.transaction((tx) => this.engine.decideForAlert(incidentId, alert, tx));
        }
      }
    }
    for (const incidentId of resolvedIn) await this.engine.alertResolved(incidentId);
  }
}

/** An incident the service does not know (another deployment's topic) is skipped, not retried forever. */
function skipUnknown(error: unknown): [] {
  if ((error as { kind?: string }).kind === 'not_found') return [];
  throw error;
}
