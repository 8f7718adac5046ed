import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import {
  GetIncidents,
  IncidentEventConsumer,
  OFF_LIVE_PATH_WINDOW_MS,
  IncidentEventMessage,
  IncidentEventStream,
  IncidentView,
} from '../incidents';
import { InvalidMessageJob, NotificationJobs } from '../notifications';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { affectsCadence, CadenceFacts, evolveCadence } from './domain/cadence';
import { stakeholderMessage } from './domain/stakeholder-update';
import { ActionItemStore } from './persistence/action-item.store';
import { CadenceStore } from './persistence/cadence.store';
import { UpdateCadence } from './update-cadence';

/** A status update older than this when first seen (a new deployment reading history) is not sent out. */
const STALE_UPDATE_MS = 60 * 60 * 1000;

/**
 * Follow-through's consumer group on the incident-events topic. One transaction per batch:
 * the action-item projection (idempotent per item by seq), the cadence facts (row-locked;
 * an event at or below the remembered seq is a redelivery), the cadence timers, and the
 * stakeholder message jobs (keyed by incident and seq, so a redelivery sends nothing twice).
 */
@Injectable()
export class FollowupEventsConsumer extends IncidentEventConsumer {
  constructor(
    stream: IncidentEventStream,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly db: DataSource,
    private readonly items: ActionItemStore,
    private readonly cadence: CadenceStore,
    private readonly updateCadence: UpdateCadence,
    private readonly jobs: NotificationJobs,
    private readonly queries: QueryBus,
  ) {
    super(stream, {
      group: 'sitrep-followups',
      fromBeginning: true,
      maxWaitMs: 100,
      batchWindowMs: OFF_LIVE_PATH_WINDOW_MS,
    });
  }

  async handleEvents(events: IncidentEventMessage[]): Promise<void> {
    const relevant = events.filter((e) => e.type.startsWith('action_item.') || affectsCadence(e.type));
    if (relevant.length === 0) return;
    const incidentIds = [...new Set(relevant.map((e) => e.incidentId))].sort();
    // Read outside the transaction (a second connection inside it could starve the pool): the
    // incidents module's views, in one query, for a status update's text and for incidents this
    // group has no facts of yet (declared before it existed, and not in this batch). Facts are only
    // ever added, so an incident known here is known inside the transaction too.
    // A storm's batch declares its incidents, so it asks nothing here.
    const declaredHere = new Set(relevant.filter((e) => e.type === 'incident.declared').map((e) => e.incidentId));
    const unsure = [
      ...new Set(relevant.filter((e) => affectsCadence(e.type) && !declaredHere.has(e.incidentId)).map((e) => e.incidentId)),
    ];
    const haveFacts = unsure.length > 0 ? await this.cadence.known(this.db.manager, unsure) : new Set<string>();
    const needsView = (e: IncidentEventMessage) =>
      e.type === 'incident.status_update' ||
      (affectsCadence(e.type) && !declaredHere.has(e.incidentId) && !haveFacts.has(e.incidentId));
    const views = await this.views([...new Set(relevant.filter(needsView).map((e) => e.incidentId))]);
    await this.db.transaction(async (tx) => {
      const facts = await this.cadence.load(tx, incidentIds);
      // Per incident, the facts before the batch's first event of it (and whether this group armed
      // their lapse): one replan from there to the facts after its last event, not one per event.
      const first = new Map<string, { before: CadenceFacts | undefined; armed: boolean }>();
      for (const event of relevant) {
        if (event.type === 'action_item.added' || event.type === 'action_item.updated') {
          await this.items.applyEvent(tx, { ...event, data: event.data as unknown as Record<string, unknown> });
          continue;
        }
        const known = facts.get(event.incidentId);
        const before = known ?? seedFacts(event, views.get(event.incidentId));
        if (before && event.seq <= before.lastSeq) continue; // a redelivery
        const after = evolveCadence(before, { ...event, data: event.data as unknown as Record<string, unknown> });
        if (!after) {
          this.logger.warn(
            { incidentId: event.incidentId, seq: event.seq, type: event.type },
            'Follow-through skipped an event of an unknown incident',
          );
          continue;
        }
        if (!first.has(event.incidentId)) first.set(event.incidentId, { before, armed: known !== undefined });
        facts.set(event.incidentId, after);
        if (event.type === 'incident.status_update')
          await this.tellStakeholders(tx, event, views.get(event.incidentId));
      }
      await this.updateCadence.replanAll(
        tx,
        [...first].map(([incidentId, { before, armed }]) => ({
          incidentId,
          before,
          after: facts.get(incidentId)!,
          beforeArmed: armed,
        })),
      );
      // Once per incident: the facts after the batch's last event (each event's seq is in them).
      await this.cadence.saveAll(tx, new Map([...first.keys()].map((id) => [id, facts.get(id)!])));
    });
  }

  private async tellStakeholders(
    tx: EntityManager,
    event: IncidentEventMessage,
    incident: IncidentView | undefined,
  ): Promise<void> {
    if (event.type !== 'incident.status_update' || !incident) return;
    if (Date.now() - Date.parse(event.occurredAt) > STALE_UPDATE_MS) {
      this.logger.info(
        { incidentId: event.incidentId, seq: event.seq },
        'Status update too old to send to stakeholders (first seen late)',
      );
      return;
    }
    const { slackChannel, emailTo } = this.config.stakeholders;
    const message = stakeholderMessage({
      incident,
      text: event.data.text,
      author: event.actor,
      postedAt: event.occurredAt,
      publicUrl: this.config.publicUrl,
    });
    const targets: Array<{ channel: string; to: string }> = [];
    if (slackChannel && this.jobs.canSend('slack')) targets.push({ channel: 'slack', to: slackChannel });
    if (this.jobs.canSend('email')) for (const to of emailTo) targets.push({ channel: 'email', to });
    for (const target of targets) {
      try {
        await this.jobs.enqueue(tx, {
          key: `followups.stakeholder:${event.incidentId}:${event.seq}:${target.channel}:${target.to}`,
          channel: target.channel,
          to: target.to,
          incidentId: event.incidentId,
          recipientLabel: target.channel === 'slack' ? `stakeholders ${target.to}` : target.to,
          message,
        });
      } catch (error) {
        if (!(error instanceof InvalidMessageJob)) throw error;
        this.logger.warn(
          { incidentId: event.incidentId, problem: error.message },
          'Stakeholder update not sent on a channel',
        );
      }
    }
  }

  private async views(incidentIds: string[]): Promise<Map<string, IncidentView>> {
    if (incidentIds.length === 0) return new Map();
    const views: IncidentView[] = await this.queries.execute(new GetIncidents(incidentIds));
    return new Map(views.map((v) => [v.id, v]));
  }
}

/** Facts for an incident whose earlier events this group never saw (declared before it existed). */
function seedFacts(event: IncidentEventMessage, view: IncidentView | undefined): CadenceFacts | undefined {
  if (event.type === 'incident.declared' || !view) return undefined;
  return {
    lastSeq: event.seq - 1,
    severity: view.severity,
    open: view.status !== 'resolved',
    since: view.lastStatusUpdateAt ?? view.createdAt,
  };
}
