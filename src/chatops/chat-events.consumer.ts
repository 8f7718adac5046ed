import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import {
  GetIncident,
  IncidentEventConsumer,
  OFF_LIVE_PATH_WINDOW_MS,
  IncidentEventMessage,
  IncidentEventStream,
} from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { ChatJobWorker } from './chat-job.worker';
import { ChatEvent, ChatFacts, ChatSettings, planChatEvent } from './domain/chat-plan';
import { asSeverity } from './domain/severity-order';
import { ChatopsStore, PlannedChatJob } from './persistence/chatops.store';

/**
 * Chatops' own consumer group on the incident-event stream: it remembers each incident's
 * number, title, severity, commander and deputy, and plans channel and invite jobs. A batch is
 * one transaction (facts row-locked, jobs unique per incident/kind/key), so a redelivered
 * batch changes nothing; offsets are committed after it.
 */
@Injectable()
export class ChatEventsConsumer extends IncidentEventConsumer {
  private readonly settings: ChatSettings;

  constructor(
    stream: IncidentEventStream,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly db: DataSource,
    private readonly store: ChatopsStore,
    private readonly queries: QueryBus,
    private readonly worker: ChatJobWorker,
  ) {
    super(stream, {
      group: 'sitrep-chatops',
      fromBeginning: true,
      maxWaitMs: 100,
      batchWindowMs: OFF_LIVE_PATH_WINDOW_MS,
    });
    this.settings = { channelsOn: config.slackIncidentChannels, minSeverity: config.notifyMinSeverity };
  }

  async handleEvents(events: IncidentEventMessage[]): Promise<void> {
    const incidentIds = [...new Set(events.map((e) => e.incidentId))];
    const inserted = await this.db.transaction(async (tx) => {
      const facts = await this.store.loadFacts(tx, incidentIds);
      const touched = new Map<string, ChatFacts>();
      const jobs: PlannedChatJob[] = [];
      for (const message of events) {
        const event: ChatEvent = {
          incidentId: message.incidentId,
          seq: message.seq,
          type: message.type,
          actor: message.actor,
          data: message.data as Record<string, unknown>,
        };
        let before = facts.get(event.incidentId);
        if (!before && event.type !== 'incident.declared') {
          before = await this.factsFromIncident(event.incidentId, event.seq - 1);
          if (before) facts.set(event.incidentId, before);
        }
        const plan = planChatEvent(event, before, this.settings);
        if (!plan) continue;
        facts.set(event.incidentId, plan.facts);
        touched.set(event.incidentId, plan.facts);
        for (const job of plan.jobs) {
          jobs.push(
            job.kind === 'create_channel'
              ? { incidentId: event.incidentId, kind: 'create_channel', key: '', payload: {} }
              : {
                  incidentId: event.incidentId,
                  kind: 'invite',
                  key: `${job.handle}@${event.seq}`,
                  payload: { handle: job.handle },
                },
          );
        }
      }
      await this.store.saveFacts(tx, [...touched.values()]);
      return this.store.insertJobs(jobs, tx);
    });
    if (inserted > 0) this.worker.wake();
  }

  /** Facts of an incident whose declaration this group never saw (declared before it existed). */
  private async factsFromIncident(incidentId: string, lastSeq: number): Promise<ChatFacts | undefined> {
    try {
      const incident = await this.queries.execute(new GetIncident(incidentId));
      return {
        incidentId,
        number: incident.number,
        title: incident.title,
        severity: asSeverity(incident.severity) ?? 'SEV4',
        commander: incident.roles.commander,
        deputy: incident.roles.deputy,
        lastSeq,
        channelWanted: false,
      };
    } catch (error) {
      this.logger.warn({ err: error, incidentId }, 'Chatops cannot read an incident it has no facts of');
      return undefined;
    }
  }
}
