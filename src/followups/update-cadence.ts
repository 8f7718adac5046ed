import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { IncidentCommands, ResponderDirectory } from '../incidents';
import { InvalidMessageJob, NotificationJobs } from '../notifications';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { Timers, type Timer, type TimerSpec } from '../platform/timers';
import { contactsOf } from './contact';
import { CadenceFacts, durationMs, lapseOf } from './domain/cadence';
import { updateDueMessage } from './domain/stakeholder-update';

export const UPDATE_DUE_TIMER = 'followups.update-due';

interface LapsePayload {
  incidentId: string;
  /** ISO: when the clock of this lapse started. */
  since: string;
}

/** One incident's cadence facts across a batch: before its first event and after its last. */
export interface CadenceChange {
  incidentId: string;
  before: CadenceFacts | undefined;
  after: CadenceFacts;
  /** False when `before` was seeded from the incident's view, so this group never armed its lapse. */
  beforeArmed: boolean;
}

/**
 * The status-update cadence on the one timer mechanism. One timer per lapse, keyed by the
 * incident and the instant its clock started: an update starts a new clock (a new key, the old
 * pending one cancelled), a severity change moves the pending timer (cancel + schedule: a fired
 * key stays used, so a lapse never reminds twice), resolving cancels it.
 */
@Injectable()
export class UpdateCadence implements OnModuleInit {
  constructor(
    private readonly timers: Timers,
    private readonly incidents: IncidentCommands,
    private readonly responders: ResponderDirectory,
    private readonly jobs: NotificationJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.timers.register<LapsePayload>(UPDATE_DUE_TIMER, { fire: (timer, tx) => this.fire(timer, tx) });
  }

  /**
   * Re-plans after facts changed, for a batch's incidents at once: for each, the pending lapse
   * of `before` goes and the one of `after` is armed (one statement for all the goes, one for
   * all the arms; keys are per incident, so the order within each kind does not matter).
   */
  async replanAll(tx: EntityManager, changes: CadenceChange[]): Promise<void> {
    const cadences = this.config.updateCadence as Partial<Record<string, string>>;
    const cancelled: string[] = [];
    const armed: Array<TimerSpec<LapsePayload>> = [];
    for (const { incidentId, before, after, beforeArmed } of changes) {
      const previous = before ? lapseOf(incidentId, before, cadences) : null;
      const next = lapseOf(incidentId, after, cadences);
      const same = previous && next && previous.key === next.key && previous.dueAt.getTime() === next.dueAt.getTime();
      // The same lapse was armed with `before` (in the transaction that saved it): nothing to do.
      if (beforeArmed && same) continue;
      if (previous && !same) cancelled.push(previous.key);
      if (next)
        armed.push({
          kind: UPDATE_DUE_TIMER,
          key: next.key,
          dueAt: next.dueAt,
          payload: { incidentId, since: after.since },
        });
    }
    await this.timers.cancelAll(UPDATE_DUE_TIMER, cancelled, tx);
    await this.timers.scheduleAll(armed, tx);
  }

  private async fire(timer: Timer<LapsePayload>, tx: EntityManager): Promise<void> {
    const { incidentId, since } = timer.payload;
    const cadences = this.config.updateCadence as Partial<Record<string, string>>;
    const { result } = await this.incidents.act(incidentId, { actor: 'system', tx }, (incident, ctx) => {
      const s = incident.snapshot();
      if (s.status === 'resolved') return null;
      const cadence = cadences[s.severity];
      const ms = cadence ? durationMs(cadence) : null;
      if (!cadence || ms === null) return null;
      // An update (or a reopen) since this clock started means this lapse never happened.
      if (s.lastStatusUpdateAt && s.lastStatusUpdateAt.getTime() > Date.parse(since)) return null;
      if (ctx.now.getTime() < Date.parse(since) + ms) return null;
      const remind = s.roles.communications ?? s.roles.commander;
      incident.recordUpdateDue({ cadence, since: new Date(since), remind }, ctx);
      return { remind, cadence, incident: s };
    });
    if (!result?.remind) return;
    const responder = await this.responders.find(result.remind);
    const contacts = responder ? contactsOf(responder, this.jobs, { textAsLastResort: true }) : [];
    if (contacts.length === 0) {
      this.logger.warn(
        { incidentId, handle: result.remind },
        'Update reminder not sent: the role holder has no reachable Slack user id, email or phone',
      );
      return;
    }
    const message = updateDueMessage({
      incident: result.incident,
      cadence: result.cadence,
      since,
      publicUrl: this.config.publicUrl,
    });
    for (const contact of contacts) {
      try {
        await this.jobs.enqueue(tx, {
          key: `${UPDATE_DUE_TIMER}:${timer.key}:${contact.channel}`,
          channel: contact.channel,
          to: contact.to,
          incidentId,
          recipientLabel: result.remind,
          message,
        });
      } catch (error) {
        if (!(error instanceof InvalidMessageJob)) throw error;
        this.logger.warn(
          { incidentId, handle: result.remind, problem: error.message },
          'Update reminder not sent on a channel',
        );
      }
    }
  }
}
