import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { IncidentCommands, isDomainError, ResponderDirectory } from '../incidents';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { incidentChannelName } from './domain/channel-name';
import { unescapeSlack } from './domain/parse-incident-command';
import { channelReadyText, inChannel } from './domain/replies';
import { ChatopsMetrics } from './chatops.metrics';
import { ClickJob, InteractionHandler } from './interaction.handler';
import { ChatJobRow, ChatopsStore } from './persistence/chatops.store';
import { SlackCallError } from './slack/slack-call-error';
import { SlackWeb } from './slack/slack-web';

const LEASE_MS = 60_000;
const BATCH = 10;
const IDLE_POLL_MS = 5_000;
const MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Waiting for the channel before an invite: not the invite's fault, not an attempt. */
const WAIT_FOR_CHANNEL_MS = 1_000;
/** Name suffixes tried in one go after name_taken (`-2`, `-3`, …). */
const MAX_NAME_ATTEMPTS = 20;
const NOTE_MAX = 10_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_REQUESTS_MS = 24 * 3600_000;

class JobOutcome {
  constructor(
    readonly kind: 'fail' | 'wait',
    readonly reason: string,
    readonly delayMs = 0,
  ) {}
}

/**
 * Runs chat jobs (incident channel creation, invites, pins, button clicks) from their rows: any instance,
 * leased, retried with backoff, Slack's 429 Retry-After honoured without counting as an
 * attempt. Each job's effect and its `done` mark commit together where the effect is ours (the
 * incident link, the pinned note); a Slack call whose answer was lost is checked before it is
 * repeated, so a channel is never created twice.
 */
@Injectable()
export class ChatJobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly db: DataSource,
    private readonly store: ChatopsStore,
    private readonly slack: SlackWeb,
    private readonly incidents: IncidentCommands,
    private readonly directory: ResponderDirectory,
    private readonly clicks: InteractionHandler,
    private readonly metrics: ChatopsMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Looks for due jobs now (after a commit that planned some). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.drain()
      .catch((error) => this.logger.warn({ err: error }, 'Chat jobs could not be run'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        void this.schedule();
      });
  }

  private async schedule(): Promise<void> {
    const next = await this.store.nextDueInMs().catch(() => undefined);
    if (this.stopped || this.running) return;
    const delay = Math.min(IDLE_POLL_MS, Math.max(10, next ?? IDLE_POLL_MS));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.store.pruneRequests(KEEP_REQUESTS_MS);
    }
    for (;;) {
      if (this.stopped) return;
      const jobs = await this.store.claimDue(BATCH, LEASE_MS);
      if (jobs.length === 0) return;
      await Promise.all(jobs.map((job) => this.run(job)));
    }
  }

  private async run(job: ChatJobRow): Promise<void> {
    try {
      await this.runOnce(job);
      this.metrics.jobs.inc({ kind: job.kind, outcome: 'done' });
    } catch (error) {
      this.metrics.jobs.inc({ kind: job.kind, outcome: await this.settle(job, error) });
    }
  }

  private async runOnce(job: ChatJobRow): Promise<void> {
    switch (job.kind) {
      case 'create_channel':
        return this.createChannel(job);
      case 'invite':
        return this.invite(job);
      case 'pin':
        return this.pin(job);
      case 'click':
        await this.clicks.run(job.incident_id, job.payload as ClickJob);
        return this.store.finish(job.id);
    }
  }

  /** Puts the job back or gives it up; answers the outcome for the metrics. */
  private async settle(job: ChatJobRow, error: unknown): Promise<string> {
    const log = { jobId: job.id, incidentId: job.incident_id, kind: job.kind };
    if (error instanceof JobOutcome) {
      if (error.kind === 'wait') {
        await this.store.retryLater(job.id, error.delayMs, false, null);
        return 'waiting';
      }
      this.logger.warn({ ...log, reason: error.reason }, 'A chat job failed');
      await this.store.fail(job.id, error.reason);
      return 'failed';
    }
    if (error instanceof SlackCallError) {
      if (error.kind === 'rate_limited') {
        await this.store.retryLater(job.id, error.retryAfterMs ?? 1000, false, error.message);
        return 'rate_limited';
      }
      if (error.kind === 'transient' && job.attempts + 1 < MAX_ATTEMPTS) {
        await this.store.retryLater(job.id, this.backoff(job.attempts), true, error.message);
        return 'retried';
      }
      this.logger.warn({ ...log, reason: error.message }, 'A chat job failed');
      await this.store.fail(job.id, error.message);
      return 'failed';
    }
    if (isDomainError(error)) {
      this.logger.warn({ ...log, reason: error.message }, 'A chat job was refused by the incident');
      await this.store.fail(job.id, error.message);
      return 'failed';
    }
    const reason = error instanceof Error ? error.message : String(error);
    if (job.attempts + 1 >= MAX_ATTEMPTS) {
      this.logger.warn({ ...log, err: error }, 'A chat job failed');
      await this.store.fail(job.id, reason);
      return 'failed';
    }
    this.logger.warn({ ...log, err: error }, 'A chat job will be retried');
    await this.store.retryLater(job.id, this.backoff(job.attempts), true, reason);
    return 'retried';
  }

  private backoff(attempts: number): number {
    const base = this.config.notifyRetryBaseMs * 2 ** attempts;
    return Math.min(MAX_BACKOFF_MS, base / 2 + Math.random() * (base / 2));
  }

  /**
   * `inc-<number>-<slug>`, then `-2`, `-3`… on name_taken. A create whose answer was lost
   * (timeout, 5xx) leaves its name in `progress.uncertain`; the retry first looks for a channel
   * of that name created by this bot and adopts it instead of making a second one.
   */
  private async createChannel(job: ChatJobRow): Promise<void> {
    const incident = await this.store.byId(job.incident_id);
    if (!incident) throw new JobOutcome('fail', 'unknown incident');
    if (incident.channelId) return this.store.finish(job.id);
    let attempt = Number(job.progress.attempt ?? 1);
    const uncertain = typeof job.progress.uncertain === 'string' ? (job.progress.uncertain as string) : undefined;
    if (uncertain) {
      const adopted = await this.ownChannel(uncertain);
      if (adopted) return this.link(job, adopted.id, adopted.name);
    }
    for (let tries = 0; tries < MAX_NAME_ATTEMPTS; tries++, attempt++) {
      const name = incidentChannelName(incident.number, incident.title, attempt);
      try {
        const channel = await this.slack.createChannel(name);
        return await this.link(job, channel.id, channel.name);
      } catch (error) {
        if (error instanceof SlackCallError && error.code === 'name_taken') continue;
        if (error instanceof SlackCallError && error.mayHaveActed) {
          await this.store.saveProgress(job.id, { attempt, uncertain: name });
        } else if (attempt !== Number(job.progress.attempt ?? 1)) {
          await this.store.saveProgress(job.id, { attempt });
        }
        throw error;
      }
    }
    throw new JobOutcome('fail', `every channel name up to suffix -${attempt - 1} is taken`);
  }

  private async ownChannel(name: string) {
    const [found, me] = await Promise.all([this.slack.findChannel(name), this.slack.botUserId()]);
    return found && me && found.creator === me ? found : undefined;
  }

  /** The channel, the incident's link to it and the job's end, in one transaction. */
  private async link(job: ChatJobRow, channelId: string, channelName: string): Promise<void> {
    const reply = await this.db.transaction(async (tx) => {
      await this.store.setChannel(tx, job.incident_id, channelId, channelName);
      await this.incidents.act(job.incident_id, { actor: 'system', tx }, (incident, ctx) =>
        incident.linkChatChannel({ channelId, channelName }, ctx),
      );
      await this.store.finish(job.id, tx);
      return this.store.takeDeclareReply(tx, job.incident_id);
    });
    this.logger.info({ incidentId: job.incident_id, channelId, channelName }, 'Incident channel created');
    // The invites waiting for this channel can go now.
    this.wake();
    if (reply) {
      const incident = await this.store.byId(job.incident_id);
      await this.slack.respond(reply, inChannel(channelReadyText(incident?.number ?? 0, channelId)));
    }
  }

  private async invite(job: ChatJobRow): Promise<void> {
    const handle = String(job.payload.handle ?? '');
    const incident = await this.store.byId(job.incident_id);
    if (!incident) throw new JobOutcome('fail', 'unknown incident');
    if (!incident.channelId) {
      const creation = await this.store.jobStatus(job.incident_id, 'create_channel');
      if (creation === 'failed' || creation === undefined) throw new JobOutcome('fail', 'the incident has no channel');
      throw new JobOutcome('wait', 'waiting for the channel', WAIT_FOR_CHANNEL_MS);
    }
    const responder = await this.directory.find(handle);
    if (!responder?.slackUserId) {
      // Nothing to do: they are not on Slack (as far as the directory knows).
      return this.store.finish(job.id);
    }
    await this.slack.invite(incident.channelId, [responder.slackUserId]);
    await this.store.finish(job.id);
  }

  /** The reacted-to message's text becomes a pinned note by the reacting responder, once. */
  private async pin(job: ChatJobRow): Promise<void> {
    const { channelId, ts, handle, slackUserId } = job.payload as { channelId: string; ts: string; handle: string; slackUserId?: string };
    const raw = await this.slack.messageText(channelId, ts);
    if (raw === undefined) throw new JobOutcome('fail', 'the message is gone');
    const text = [...unescapeSlack(raw).trim()].slice(0, NOTE_MAX).join('');
    if (!text) throw new JobOutcome('fail', 'the message has no text to pin');
    const { incident } = await this.db.transaction(async (tx) => {
      const done = await this.incidents.act(job.incident_id, { actor: handle, tx }, (incident, ctx) => incident.addNote(randomUUID(), text, true, ctx));
      await this.store.finish(job.id, tx);
      return done;
    });
    if (slackUserId) await this.slack.postEphemeral(channelId, slackUserId, `:pushpin: Pinned to the timeline of #${incident.number}.`);
  }
}
