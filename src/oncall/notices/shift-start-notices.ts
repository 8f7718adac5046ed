import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { ResponderDirectory, type Responder } from '../../incidents';
import { InvalidMessageJob, NotificationJobs } from '../../notifications';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { Timers, type Timer } from '../../platform/timers';
import { OnCallDirectory } from '../on-call/on-call-directory';
import { ScheduleStore, type ScheduleView } from '../persistence/schedule.store';

const DAY_MS = 86_400_000;
/** Shift starts are planned this far ahead; a daily plan timer keeps the horizon moving. */
const HORIZON_MS = 8 * DAY_MS;
export const SHIFT_START_TIMER = 'oncall.shift-start';
export const SHIFT_PLAN_TIMER = 'oncall.shift-plan';

interface ShiftStartPayload {
  scheduleId: string;
  handle: string;
  /** Epoch ms. */
  start: number;
}

/**
 * `notifyShiftStart`: each person is told when their shift starts, once per shift, across
 * restarts and instances. Both halves are rows:
 * - planning (on every schedule or override write, in its transaction, and daily from a plan
 *   timer) makes one timer per shift start in the next 8 days, keyed schedule:handle:start, so
 *   planning twice never makes two;
 * - firing re-checks the schedule as it is now (an edit may have moved or removed the shift:
 *   then nothing is sent) and enqueues one message job keyed by the same triple — a Slack DM
 *   when the responder has a Slack user id and Slack is on, else an email.
 */
@Injectable()
export class ShiftStartNotices implements OnModuleInit {
  constructor(
    private readonly store: ScheduleStore,
    private readonly directory: OnCallDirectory,
    private readonly timers: Timers,
    private readonly jobs: NotificationJobs,
    private readonly responders: ResponderDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.timers.register<ShiftStartPayload>(SHIFT_START_TIMER, { fire: (timer, tx) => this.fire(timer, tx) });
    this.timers.register<{ scheduleId: string }>(SHIFT_PLAN_TIMER, {
      fire: (timer, tx) => this.replan(timer.payload.scheduleId, tx),
    });
  }

  /** Timers for the shift starts of the next 8 days, and tomorrow's plan; nothing when notices are off. */
  async replan(scheduleId: string, tx: EntityManager, now = Date.now()): Promise<void> {
    const schedule = await this.store.find(scheduleId, tx);
    if (!schedule?.notifyShiftStart) return;
    const shifts = (await this.directory.resolve([scheduleId], now, now + HORIZON_MS, tx)).get(scheduleId) ?? [];
    for (const shift of shifts) {
      if (shift.start <= now) continue; // already under way when planned: not a start to announce
      await this.timers.schedule<ShiftStartPayload>(
        {
          kind: SHIFT_START_TIMER,
          key: `${scheduleId}:${shift.handle}:${shift.start}`,
          dueAt: new Date(shift.start),
          payload: { scheduleId, handle: shift.handle, start: shift.start },
        },
        tx,
      );
    }
    const tomorrow = Math.floor(now / DAY_MS) + 1;
    await this.timers.schedule(
      {
        kind: SHIFT_PLAN_TIMER,
        key: `${scheduleId}:${tomorrow}`,
        dueAt: new Date(tomorrow * DAY_MS),
        payload: { scheduleId },
      },
      tx,
    );
  }

  private async fire(timer: Timer<ShiftStartPayload>, tx: EntityManager): Promise<void> {
    const { scheduleId, handle, start } = timer.payload;
    const schedule = await this.store.find(scheduleId, tx);
    if (!schedule?.notifyShiftStart) return;
    // Looking from a minute before: a person already on call then has no new shift at `start`.
    const shifts =
      (await this.directory.resolve([scheduleId], start - 60_000, start + HORIZON_MS, tx)).get(scheduleId) ?? [];
    const shift = shifts.find((s) => s.start === start && s.handle === handle);
    if (!shift || shift.end <= Date.now()) return;
    const responder = await this.responders.find(handle);
    if (!responder) return;
    const channel = this.channelFor(responder);
    if (!channel) {
      this.logger.warn(
        { scheduleId, handle },
        'Shift-start notice not sent: the responder has no reachable Slack user id or email',
      );
      return;
    }
    try {
      await this.jobs.enqueue(tx, {
        key: `${SHIFT_START_TIMER}:${scheduleId}:${handle}:${start}`,
        channel: channel.name,
        to: channel.to,
        recipientLabel: handle,
        message: this.message(schedule, shift),
      });
    } catch (error) {
      if (!(error instanceof InvalidMessageJob)) throw error;
      this.logger.warn(
        { scheduleId, handle, problem: error.message },
        'Shift-start notice not sent: the address is not usable',
      );
    }
  }

  private channelFor(responder: Responder): { name: string; to: string } | null {
    if (responder.slackUserId && this.jobs.canSend('slack')) return { name: 'slack', to: responder.slackUserId };
    if (responder.email && this.jobs.canSend('email')) return { name: 'email', to: responder.email };
    return null;
  }

  private message(schedule: ScheduleView, shift: { start: number; end: number; source: string }) {
    const local = (ms: number) => DateTime.fromMillis(ms, { zone: schedule.timeZone }).toFormat('ccc d LLL HH:mm');
    const until = `${local(shift.end)} (${schedule.timeZone})`;
    const source = shift.source === 'override' ? 'an override' : `layer ${shift.source}`;
    return {
      subject: `You are on call for ${schedule.name} until ${until}`,
      text:
        `Your on-call shift for ${schedule.name} starts now, ${local(shift.start)}, and runs until ${until} (${source}).\n` +
        `Who is on call: ${this.config.publicUrl}/on-call`,
    };
  }
}
