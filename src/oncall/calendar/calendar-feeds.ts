import { Inject, Injectable } from '@nestjs/common';
import ical from 'ical-generator';
import { createHash, randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { hashSecret } from '../../platform/auth/secrets';
import { AppError } from '../../platform/http/app-error';
import { finalShifts, type Shift } from '../domain';
import { ScheduleStore } from '../persistence/schedule.store';
import { scheduleNotFound } from '../schedules/schedule-errors';

const DAY_MS = 86_400_000;
const FEED_DAYS = 60;
/** Shifts in force at the moment of the fetch keep their real start (a stable UID), up to this far back. */
const LOOK_BACK_DAYS = 31;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const FEED_PATH = 'api/v1/calendars';

/**
 * The iCalendar feed of a schedule. A calendar app cannot send headers, so the URL is the
 * credential: 256 random bits, kept only as a SHA-256, one live URL per schedule (a new one
 * replaces the old, which then answers 404). Events are the final shifts for the next 60 days,
 * each with a UID derived from the schedule, person, source and start — the same shift keeps its
 * UID from fetch to fetch, so calendar apps update rather than duplicate it.
 */
@Injectable()
export class CalendarFeeds {
  constructor(
    private readonly store: ScheduleStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(scheduleId: string, actor: string): Promise<{ url: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.store.transaction(async (tx) => {
      if (!(await this.store.find(scheduleId, tx, 'FOR KEY SHARE'))) throw scheduleNotFound(scheduleId);
      await this.store.replaceFeed(tx, scheduleId, hashSecret(token), actor, new Date());
    });
    return { url: `${this.config.publicUrl}/${FEED_PATH}/${token}.ics` };
  }

  /** The feed's text for a token from a URL; 404 for any token that is not live (the lookup is by hash). */
  async render(tokenParam: string, now: number): Promise<string> {
    const token = tokenParam.replace(/\.ics$/, '');
    const notFound = new AppError('not_found', 'CALENDAR_NOT_FOUND', 'No calendar feed at this URL');
    if (!TOKEN.test(token)) throw notFound;
    const scheduleId = await this.store.scheduleOfFeed(hashSecret(token));
    const schedule = scheduleId ? await this.store.find(scheduleId) : null;
    if (!schedule) throw notFound;
    const from = now - LOOK_BACK_DAYS * DAY_MS;
    const to = now + FEED_DAYS * DAY_MS;
    const range = [new Date(from), new Date(to)] as const;
    const [versions, overrides] = await Promise.all([
      this.store.versionsFor([schedule.id], ...range),
      this.store.overridesFor([schedule.id], ...range),
    ]);
    const shifts = finalShifts({
      versions: versions.get(schedule.id) ?? [],
      overrides: overrides.get(schedule.id) ?? [],
      from,
      to,
    }).filter((shift) => shift.end > now);
    const calendar = ical({
      name: `On call: ${schedule.name}`,
      prodId: { company: 'Sitrep', product: 'on-call', language: 'EN' },
      ttl: 15 * 60,
    });
    for (const shift of shifts) {
      calendar.createEvent({
        id: shiftUid(schedule.id, shift),
        start: new Date(shift.start),
        end: new Date(shift.end),
        stamp: new Date(now),
        summary: `On call: ${shift.handle} (${schedule.name})`,
        description: `${shift.handle} is on call for ${schedule.name} (${shift.source === 'override' ? 'override' : `layer ${shift.source}`}).`,
        url: `${this.config.publicUrl}/on-call`,
      });
    }
    return calendar.toString();
  }
}

export function shiftUid(scheduleId: string, shift: Shift): string {
  const digest = createHash('sha256')
    .update(`${scheduleId}\n${shift.handle}\n${shift.source}\n${shift.start}`)
    .digest('hex');
  return `${digest.slice(0, 32)}@sitrep.oncall`;
}
