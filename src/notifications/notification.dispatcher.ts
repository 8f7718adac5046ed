import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetIncident, IncidentNotFound, IncidentView, NotificationOutcome } from '../incidents';
import { Signal } from '../platform/messaging/signal';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { ChannelRegistry } from './channels/channel-registry';
import { EMAIL_CLIENT, SLACK_CLIENT } from './channels/clients';
import { DeliveryError, SendAbandoned } from './channels/delivery-error';
import { EmailClient } from './channels/email.client';
import { emailMessage } from './channels/email-message';
import { incidentLink, MessageInput } from './channels/message-facts';
import { SlackClient } from './channels/slack.client';
import { directMessage, rootMessage, threadReply } from './channels/slack-message';
import { decideAfterFailure } from './failure-decision';
import { NOTIFICATION_SETTINGS, NotificationSettings } from './notification-settings';
import { NotificationMetrics } from './notifications.metrics';
import { ClaimedJob, JobProgress, LostClaim, NotificationStore, SlackThread } from './persistence/notification.store';

interface Delivered {
  thread?: SlackThread;
  progress?: JobProgress;
  /** false: nothing was sent by this try (an earlier one did): end the job without a timeline entry. */
  record?: boolean;
}

/** Thread events the root message's facts (severity, status, roles, service) do not show. */
const NOT_SHOWN_BY_ROOT = new Set(['incident.escalated']);

/** Slack channel ids (C…, G…, D…): only with an id can a retry look for an earlier try's message. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * Sends notification jobs. Each instance runs one loop: claim due jobs of the channels it
 * has (FOR UPDATE SKIP LOCKED, one short transaction, a lease per job), send each in the
 * background, and record every outcome on the incident's timeline in the transaction that
 * ends the job. Retries use exponential backoff with jitter; a Slack 429 closes that gate
 * only (notification_gates.not_before) and paces it afterwards. The loop survives restarts
 * because all of its state is in PostgreSQL.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly signal = new Signal();
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopped = false;
  /** Set when shutdown gave up waiting: sends still in flight must not touch the database. */
  private abandoned = false;

  constructor(
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(SLACK_CLIENT) private readonly slack: SlackClient,
    @Inject(EMAIL_CLIENT) private readonly email: EmailClient,
    private readonly channels: ChannelRegistry,
    private readonly store: NotificationStore,
    private readonly queries: QueryBus,
    private readonly metrics: NotificationMetrics,
  ) {
    metrics.attach(() => this.store.queueStats());
  }

  onApplicationBootstrap(): void {
    const on = this.channels.names().filter((name) => this.channels.get(name)?.enabled);
    this.logger.info({ channels: on }, on.length ? `Notifications on: ${on.join(', ')}` : 'Notifications off: no channel is configured (Slack, SMTP)');
    this.loop = this.run();
  }

  /** Something may be due now (new jobs were inserted). */
  wake(): void {
    this.signal.notify();
  }

  /**
   * Stops claiming, then waits for the sends in flight up to shutdownGraceMs. Sends still
   * running then are abandoned: their jobs stay `sending` and are taken up again by any
   * instance once their lease expires (see "never twice" in the README).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.signal.notify();
    await this.loop;
    const all = Promise.allSettled([...this.inFlight]);
    if (await settlesWithin(all, this.settings.shutdownGraceMs)) return;
    this.abandoned = true;
    this.logger.warn({ inFlight: this.inFlight.size }, 'Notification sends still in flight at shutdown are left to their lease');
    this.channels.abortAll();
    await settlesWithin(all, 1000);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let waitMs = this.settings.pollMaxMs;
      try {
        const channels = this.channels.names();
        const free = this.settings.concurrency - this.inFlight.size;
        const jobs = this.stopped ? [] : await this.store.claim(free, this.settings.leaseMs, channels);
        for (const job of jobs) this.start(job);
        if (jobs.length < free) {
          const next = await this.store.nextWakeMs(channels);
          if (next !== undefined) waitMs = Math.min(waitMs, Math.max(next, 10));
        }
        failures = 0;
      } catch (error) {
        failures++;
        waitMs = Math.min(500 * 2 ** failures, 10_000);
        if (!this.stopped) this.logger.error({ err: error, failures, retryInMs: waitMs }, 'Notification dispatcher cannot reach PostgreSQL; retrying');
      }
      if (!this.stopped) await this.signal.wait(waitMs);
    }
  }

  private start(job: ClaimedJob): void {
    const running: Promise<void> = this.process(job)
      .catch((error: unknown) => {
        if (!this.abandoned) this.logger.error({ err: error, jobId: job.id, incidentId: job.incidentId }, 'Notification job could not be settled; its lease will bring it back');
      })
      .finally(() => {
        this.inFlight.delete(running);
        this.signal.notify();
      });
    this.inFlight.add(running);
  }

  private async process(job: ClaimedJob): Promise<void> {
    const started = Date.now();
    let delivered: Delivered;
    try {
      delivered = await this.deliver(job);
    } catch (error) {
      if (this.abandoned || error instanceof SendAbandoned) return;
      if (error instanceof LostClaim) {
        this.logger.warn({ jobId: job.id }, error.message);
        return;
      }
      if (error instanceof IncidentNotFound) return this.fail(job, 'incident not found');
      if (error instanceof DeliveryError) return this.handleFailure(job, error);
      this.logger.error({ err: error, jobId: job.id }, 'Notification send failed unexpectedly');
      const message = error instanceof Error ? error.message : String(error);
      return this.handleFailure(job, new DeliveryError('transient', `internal error: ${message}`, { mayHaveSent: true, cause: error }));
    }
    if (this.abandoned) return;
    const outcome: NotificationOutcome = { status: 'sent', channel: job.channel, recipient: job.recipientLabel ?? job.recipient };
    await this.persist(job, () =>
      this.store.finish(job, outcome, {
        ...delivered,
        paceMs: job.channel === 'slack' ? this.settings.slackPaceMs : undefined,
        elapsedMs: Date.now() - started,
      }),
    );
    this.metrics.sent.inc({ channel: job.channel });
    this.logger.debug({ jobId: job.id, incidentId: job.incidentId, channel: job.channel, recipient: job.recipient }, 'Notification sent');
  }

  private async handleFailure(job: ClaimedJob, failure: DeliveryError): Promise<void> {
    const decision = decideAfterFailure(
      { kind: failure.kind, reason: failure.reason, retryAfterMs: failure.retryAfterMs, mayHaveSent: failure.mayHaveSent },
      job,
      new Date(),
      { retry: this.settings.retry, paceWindowMs: this.settings.slackPaceWindowMs, defaultWaitMs: 1000 },
    );
    if (decision.action === 'give_up') return this.fail(job, decision.reason);
    const progress: JobProgress = { ...job.progress, uncertain: job.progress.uncertain || decision.uncertain || undefined };
    await this.persist(job, () =>
      this.store.release(job, {
        delayMs: decision.delayMs,
        countAttempt: decision.countAttempt,
        error: failure.reason,
        progress,
        gateMs: decision.gate?.closeMs,
        paceForMs: decision.gate?.paceForMs,
      }),
    );
    this.metrics.retried.inc({ channel: job.channel, reason: decision.why });
    const log = { jobId: job.id, gate: job.gate, attempts: job.attempts, retryInMs: decision.delayMs, reason: failure.reason };
    if (decision.why === 'transient') this.logger.info(log, 'Notification will be retried');
    else this.logger.debug(log, 'Notification postponed');
  }

  private async fail(job: ClaimedJob, reason: string): Promise<void> {
    const outcome: NotificationOutcome = {
      status: 'failed',
      channel: job.channel,
      recipient: job.recipientLabel ?? job.recipient,
      reason: reason.slice(0, 1000),
    };
    await this.persist(job, () => this.store.finish(job, outcome));
    this.metrics.failed.inc({ channel: job.channel });
    this.logger.warn({ jobId: job.id, incidentId: job.incidentId, channel: job.channel, recipient: job.recipient, reason }, 'Notification failed');
  }

  /** Database writes that settle a job get a few quick tries: losing them means a resend after the lease. */
  private async persist(job: ClaimedJob, write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.abandoned) return;
      try {
        return await write();
      } catch (error) {
        if (error instanceof LostClaim || attempt >= 3) throw error;
        this.logger.warn({ err: error, jobId: job.id, attempt }, 'Settling a notification job failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  // ---- sending ----------------------------------------------------------------------------

  private async deliver(job: ClaimedJob): Promise<Delivered> {
    if (job.kind === 'message') return this.deliverMessage(job);
    if (job.channel === 'slack' && !this.slack.enabled) {
      throw new DeliveryError('permanent', 'Slack is not configured (SLACK_BOT_TOKEN unset)');
    }
    if (job.channel === 'email' && !this.email.enabled) throw new DeliveryError('permanent', 'Email is not configured (SMTP_URL unset)');
    const incident: IncidentView = await this.queries.execute(new GetIncident(job.incidentId));
    const input: MessageInput = {
      incident,
      link: incidentLink(this.settings.publicUrl, incident.id),
      payload: job.payload,
      ackTimeoutSeconds: this.settings.plan.ackTimeoutSeconds,
    };
    // An earlier try may have got through: it crashed (lease expired) or failed ambiguously.
    const uncertain = job.resumed || job.progress.uncertain === true;
    if (job.channel === 'email') {
      await this.email.send(job.recipient, emailMessage(input), `<${job.uid}@sitrep.notifications>`);
      return {};
    }
    switch (job.kind) {
      case 'announce':
        return this.announce(job, input, uncertain);
      case 'update':
        return this.updateThread(job, input, uncertain);
      default:
        return this.directMessage(job, input, uncertain);
    }
  }

  /** A message job of the channel port: the channel sends it as it is. */
  private async deliverMessage(job: ClaimedJob): Promise<Delivered> {
    const channel = this.channels.get(job.channel);
    if (!channel) throw new DeliveryError('permanent', `no "${job.channel}" channel on this instance`);
    if (!channel.enabled) throw new DeliveryError('permanent', channel.disabledReason ?? `${job.channel} is not configured`);
    if (!job.message) throw new DeliveryError('permanent', 'the job has no message');
    await channel.send({
      uid: job.uid,
      to: job.recipient,
      message: job.message,
      incidentId: job.incidentId || undefined,
      uncertain: job.resumed || job.progress.uncertain === true,
      createdAt: job.createdAt,
    });
    return {};
  }

  private oldest(job: ClaimedJob): number {
    return job.createdAt.getTime() / 1000 - 60;
  }

  private async announce(job: ClaimedJob, input: MessageInput, uncertain: boolean): Promise<Delivered> {
    if (await this.store.thread(job.incidentId, job.recipient)) return { record: false };
    if (uncertain && CHANNEL_ID.test(job.recipient)) {
      const ts = await this.slack.findPosted(job.recipient, job.uid, this.oldest(job));
      // Built from an unknown version, at least the announcing event's: later changes go to the thread.
      if (ts) return { thread: { channel: job.recipient, channelId: job.recipient, rootTs: ts, rootVersion: job.eventSeq } };
    }
    const message = rootMessage(input);
    const posted = await this.slack.post({ channel: job.recipient, ...message, jobUid: job.uid, incidentId: job.incidentId });
    return { thread: { channel: job.recipient, channelId: posted.channel, rootTs: posted.ts, rootVersion: input.incident.version } };
  }

  /** One reply listing the absorbed changes, then the root message rewritten to the current state. */
  private async updateThread(job: ClaimedJob, input: MessageInput, uncertain: boolean): Promise<Delivered> {
    const thread = await this.store.thread(job.incidentId, job.recipient);
    if (!thread) {
      const announcement = await this.store.announcement(job.incidentId, job.recipient);
      if (announcement?.status === 'pending' || announcement?.status === 'sending') {
        // Come back just after the announcement's next try (it may be backing off).
        const retryAfterMs = Math.max(500, announcement.dueInMs + 200);
        throw new DeliveryError('deferred', `waiting for the incident's root message in ${job.recipient}`, { retryAfterMs });
      }
      const why = announcement?.status === 'failed' ? 'failed' : 'was never made';
      throw new DeliveryError('permanent', `no Slack thread in ${job.recipient}: the incident's announcement ${why}`);
    }
    // Changes the root message already showed when it was posted are no news; what it never
    // shows (an escalation) is news however late the root was posted.
    const news = job.payload.events.filter((e) => e.seq > thread.rootVersion || NOT_SHOWN_BY_ROOT.has(e.type));
    if (news.length === 0) return { record: false };
    input = { ...input, payload: { ...input.payload, events: news } };
    let progress = job.progress;
    if (!progress.replyTs) {
      let ts = uncertain ? await this.slack.findPosted(thread.channelId, job.uid, this.oldest(job), thread.rootTs) : undefined;
      if (!ts) {
        const reply = threadReply(input);
        ts = (await this.slack.post({ channel: thread.channelId, ...reply, threadTs: thread.rootTs, jobUid: job.uid, incidentId: job.incidentId })).ts;
      }
      progress = { ...progress, replyTs: ts };
      await this.store.saveProgress(job, progress, this.settings.leaseMs);
    }
    await this.slack.update({ channel: thread.channelId, ts: thread.rootTs, ...rootMessage(input) });
    return { progress };
  }

  private async directMessage(job: ClaimedJob, input: MessageInput, uncertain: boolean): Promise<Delivered> {
    const channelId = await this.slack.openDm(job.recipient);
    if (uncertain && (await this.slack.findPosted(channelId, job.uid, this.oldest(job)))) return {};
    await this.slack.post({ channel: channelId, ...directMessage(input), jobUid: job.uid, incidentId: job.incidentId });
    return {};
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}
