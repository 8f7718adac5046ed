import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ResponderDirectory } from '../incidents';
import { InvalidMessageJob, NotificationJobs } from '../notifications';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { Timers, type Timer } from '../platform/timers';
import { contactsOf } from './contact';
import { addDays, dayIn, digestMessage, DUE_SOON_DAYS, isEmptyDigest, plannedDigests, selectForDigest } from './domain/digest';
import { ActionItemStore } from './persistence/action-item.store';

export const DIGEST_TIMER = 'followups.digest';
/** An instance that was down at REMINDER_TIME still sends that day's digest within this window. */
const CATCH_UP_MS = 6 * 3600_000;

export interface DigestOutcome {
  day: string;
  /** Every owner who has had this day's digest (now or earlier). */
  owners: string[];
  /** The owners this call sent it to. */
  sentNow: string[];
}

/**
 * The daily digest. Planned as timers (one per day, keyed by day, time and zone), so it
 * survives restarts and fires on one instance; each owner's message is claimed by a
 * `followup_digests` row (day, owner) in the firing transaction together with its message
 * jobs, so the timer, the admin's "send now" and any second instance send it at most once a day.
 */
@Injectable()
export class DailyDigest implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly db: DataSource,
    private readonly store: ActionItemStore,
    private readonly timers: Timers,
    private readonly jobs: NotificationJobs,
    private readonly responders: ResponderDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.timers.register<{ day: string }>(DIGEST_TIMER, { fire: (timer, tx) => this.fire(timer, tx) });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.plan(new Date());
  }

  async plan(now: Date, tx?: EntityManager): Promise<void> {
    const { time, timeZone } = this.config.reminder;
    for (const digest of plannedDigests(now, time, timeZone, CATCH_UP_MS)) {
      await this.timers.schedule({ kind: DIGEST_TIMER, key: digest.key, dueAt: digest.dueAt, payload: { day: digest.day } }, tx);
    }
  }

  /** Today's digest now (the admin's button); the same rows make it idempotent. */
  sendToday(): Promise<DigestOutcome> {
    const day = dayIn(new Date(), this.config.reminder.timeZone);
    return this.db.transaction((tx) => this.send(tx, day));
  }

  private async fire(timer: Timer<{ day: string }>, tx: EntityManager): Promise<void> {
    const outcome = await this.send(tx, timer.payload.day);
    this.logger.info({ day: outcome.day, owners: outcome.sentNow.length }, 'Daily action-item digest sent');
    // The next day's, from this day: a late fire still plans tomorrow and not today again.
    await this.plan(new Date(Math.max(Date.now(), timer.dueAt.getTime() + 60_000)), tx);
  }

  private async send(tx: EntityManager, day: string): Promise<DigestOutcome> {
    const byOwner = await this.store.dueByOwner(tx, addDays(day, DUE_SOON_DAYS));
    const sentNow: string[] = [];
    for (const [handle, items] of byOwner) {
      const content = selectForDigest(items, day);
      if (isEmptyDigest(content)) continue;
      const responder = await this.responders.find(handle);
      const contacts = responder ? contactsOf(responder, this.jobs) : [];
      if (!responder || contacts.length === 0) {
        this.logger.warn({ day, owner: handle }, 'Digest not sent: the owner has no reachable Slack user id or email');
        continue;
      }
      if (!(await this.store.claimDigest(tx, day, handle, content.overdue.length + content.dueSoon.length))) continue;
      const message = digestMessage({ handle, name: responder.name }, content, day, this.config.publicUrl);
      for (const contact of contacts) {
        try {
          await this.jobs.enqueue(tx, {
            key: `${DIGEST_TIMER}:${day}:${handle}:${contact.channel}`,
            channel: contact.channel,
            to: contact.to,
            recipientLabel: handle,
            message,
          });
        } catch (error) {
          if (!(error instanceof InvalidMessageJob)) throw error;
          this.logger.warn({ day, owner: handle, problem: error.message }, 'Digest not sent on a channel: the address is not usable');
        }
      }
      sentNow.push(handle);
    }
    return { day, owners: await this.store.digestOwners(tx, day), sentNow };
  }
}
