import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import {
  GetIncident,
  IncidentEventConsumer,
  OFF_LIVE_PATH_WINDOW_MS,
  IncidentEventMessage,
  IncidentEventStream,
  ResponderDirectory,
} from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { Timers, TimerSpec } from '../platform/timers';
import { ESCALATION_TIMER, EscalationPayload } from './escalation-timer';
import { NotificationDispatcher } from './notification.dispatcher';
import { EventFacts, evolveFacts, IncidentFacts, Person, personOf, planEvent } from './notification-planner';
import { NOTIFICATION_SETTINGS, NotificationSettings } from './notification-settings';
import { NotificationStore, PlannedJob } from './persistence/notification.store';

interface IncidentEvent extends EventFacts {
  incidentId: string;
}

/** What a batch leaves an incident's escalation timer at: armed by an event, or disarmed. */
type EscalationChange = { arm: true; seq: number; dueAt: Date } | { arm: false };

/**
 * One consumer group for the deployment turns incident events into notification jobs. A
 * batch is applied in one transaction: the incident facts (row-locked), the jobs (unique per
 * event, channel and recipient, ON CONFLICT DO NOTHING) and the escalation timers (rows of
 * the one timer mechanism, one per incident). An event at
 * or below the remembered seq is a redelivery and changes nothing; `notification.*` events
 * are ignored, so notifications never notify.
 */
@Injectable()
export class NotificationEventsConsumer extends IncidentEventConsumer {
  constructor(
    stream: IncidentEventStream,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly db: DataSource,
    private readonly store: NotificationStore,
    private readonly directory: ResponderDirectory,
    private readonly queries: QueryBus,
    private readonly dispatcher: NotificationDispatcher,
    private readonly timers: Timers,
  ) {
    // Every event matters (a group new to the topic starts from the beginning); replies are latency-sensitive.
    super(stream, {
      group: 'sitrep-notifications',
      fromBeginning: true,
      maxWaitMs: 100,
      batchWindowMs: OFF_LIVE_PATH_WINDOW_MS,
    });
  }

  /** A batch of decoded events (public: a test redelivers through it). */
  async handleEvents(messages: IncidentEventMessage[]): Promise<void> {
    const events: IncidentEvent[] = messages
      .filter((m) => !m.type.startsWith('notification.'))
      .map((m) => ({
        incidentId: m.incidentId,
        seq: m.seq,
        type: m.type,
        actor: m.actor,
        occurredAt: m.occurredAt,
        data: (m.data && typeof m.data === 'object' ? m.data : {}) as Record<string, unknown>,
      }));
    if (events.length === 0) return;
    const incidentIds = [...new Set(events.map((e) => e.incidentId))];
    const now = new Date();

    const inserted = await this.db.transaction(async (tx) => {
      const facts = await this.store.loadFacts(tx, incidentIds);
      for (const incidentId of incidentIds) {
        if (!facts.has(incidentId)) {
          const first = events.find((e) => e.incidentId === incidentId);
          if (first && first.type !== 'incident.declared') {
            const known = await this.factsFromIncident(incidentId, first.seq - 1);
            if (known) facts.set(incidentId, known);
          }
        }
      }
      const people = await this.people(events, facts);
      const jobs: PlannedJob[] = [];
      const escalations = new Map<string, EscalationChange>();
      const touched = new Map<string, IncidentFacts>();
      for (const event of events) {
        const before = facts.get(event.incidentId);
        if (before && event.seq <= before.lastSeq) continue; // seen before: a redelivery
        const plan = planEvent(event, before, this.settings.plan, people, now);
        if (!plan.facts) {
          this.logger.warn(
            { incidentId: event.incidentId, seq: event.seq, type: event.type },
            'Notifications skipped an event of an unknown incident',
          );
          continue;
        }
        facts.set(event.incidentId, plan.facts);
        touched.set(event.incidentId, plan.facts);
        for (const job of plan.jobs) jobs.push({ ...job, incidentId: event.incidentId, seq: event.seq });
        // Events apply in order: the last arm or disarm of the batch is what the timer becomes.
        if (plan.cancelTimers) escalations.set(event.incidentId, { arm: false });
        if (plan.armTimerAt) escalations.set(event.incidentId, { arm: true, seq: event.seq, dueAt: plan.armTimerAt });
      }
      await this.store.saveFacts(tx, touched);
      await this.applyEscalations(tx, escalations);
      return this.store.insertJobs(tx, jobs, this.settings.retry.budgetMs, this.settings.coalesce);
    });
    if (inserted > 0) this.dispatcher.wake();
  }

  /**
   * One timer per incident: arming moves it (re-arming one that fired, after a reopen), so a
   * redelivered event — already in the facts, skipped above — cannot arm it twice. One
   * statement for the batch's disarms and one for its arms.
   */
  private async applyEscalations(tx: EntityManager, changes: Map<string, EscalationChange>): Promise<void> {
    const disarmed: string[] = [];
    const armed: Array<TimerSpec<EscalationPayload>> = [];
    for (const [incidentId, change] of changes) {
      if (!change.arm) disarmed.push(incidentId);
      else
        armed.push({
          kind: ESCALATION_TIMER,
          key: incidentId,
          dueAt: change.dueAt,
          payload: { incidentId, armedSeq: change.seq },
        });
    }
    await this.timers.cancelAll(ESCALATION_TIMER, disarmed, tx);
    await this.timers.rescheduleAll(armed, tx);
  }

  /** Directory entries of the people the batch's events are about. */
  private async people(events: IncidentEvent[], known: Map<string, IncidentFacts>): Promise<Map<string, Person>> {
    const facts = new Map(known);
    const handles = new Set<string>();
    for (const event of events) {
      const before = facts.get(event.incidentId);
      const person = personOf(event, before);
      if (person) handles.add(person.handle);
      const after = evolveFacts(before, event);
      if (after) facts.set(event.incidentId, after);
    }
    const people = new Map<string, Person>();
    for (const handle of handles) {
      const responder = await this.directory.find(handle);
      if (responder) people.set(handle, { handle, email: responder.email, slackUserId: responder.slackUserId });
    }
    return people;
  }

  /** Facts for an incident whose earlier events this group never saw (e.g. past retention). */
  private async factsFromIncident(incidentId: string, lastSeq: number): Promise<IncidentFacts | undefined> {
    try {
      const incident = await this.queries.execute(new GetIncident(incidentId));
      return {
        lastSeq,
        severity: incident.severity,
        peakSeverity: incident.severity,
        status: incident.status,
        service: incident.service,
        deputy: incident.roles.deputy,
        slackChannels: [],
      };
    } catch (error) {
      this.logger.warn({ err: error, incidentId }, 'Notifications cannot read an incident it has no facts of');
      return undefined;
    }
  }
}
