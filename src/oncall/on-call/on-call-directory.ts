import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../../platform/http/uuid';
import { checkShiftRange, finalShifts, SHIFT_LOOKAROUND_MS, type Shift } from '../domain';
import { throwIfAny } from '../http/problems';
import { ScheduleStore } from '../persistence/schedule.store';
import { scheduleNotFound } from '../schedules/schedule-errors';

export interface ShiftView {
  handle: string;
  start: string;
  end: string;
  source: string;
}

export interface OnCallAnswer {
  at: string;
  /** null in a gap. */
  handle: string | null;
  shift: { start: string; end: string; source: string } | null;
}

export interface OnCallNowItem {
  schedule: { id: string; name: string };
  handle: string | null;
  /** When this person's shift ends; in a gap, when the next one starts (null: none within 45 days). */
  until: string | null;
}

/** The first look around an instant; most shifts end within it. */
const NEAR_MS = 8 * 86_400_000;

const shiftView = (s: Shift): ShiftView => ({
  handle: s.handle,
  start: new Date(s.start).toISOString(),
  end: new Date(s.end).toISOString(),
  source: s.source,
});

/**
 * "Who is on call": the final schedule resolved from the versions and overrides in force. This
 * is the on-call module's read port: paging asks `whoIsOnCall(scheduleId, at)` when a step
 * starts, chat asks for a schedule by name, the web page asks for everyone now.
 */
@Injectable()
export class OnCallDirectory {
  constructor(private readonly store: ScheduleStore) {}

  /** The schedule's id and name, or null when there is none (deleted, or never was). */
  async schedule(scheduleId: string, tx?: EntityManager): Promise<{ id: string; name: string } | null> {
    const found = isUuid(scheduleId) ? await this.store.find(scheduleId, tx) : null;
    return found ? { id: found.id, name: found.name } : null;
  }

  /** Every schedule's id and name, by name. */
  async schedules(): Promise<Array<{ id: string; name: string }>> {
    return (await this.store.all()).map((s) => ({ id: s.id, name: s.name }));
  }

  /** The handle on call for the schedule at `at` (null in a gap or when the schedule does not exist). */
  async whoIsOnCall(scheduleId: string, at: Date, tx?: EntityManager): Promise<string | null> {
    if (!isUuid(scheduleId)) return null;
    const shifts = await this.resolve([scheduleId], at.getTime(), at.getTime() + 1, tx);
    return shifts.get(scheduleId)?.[0]?.handle ?? null;
  }

  /**
   * Locks the schedules (FOR KEY SHARE) for the rest of `tx`, so none can be deleted before it
   * commits; returns the ids that do not exist. For a module saving something that names them.
   */
  async lockSchedules(ids: string[], tx: EntityManager): Promise<string[]> {
    const missing: string[] = [];
    for (const id of [...new Set(ids)].sort()) {
      if (!isUuid(id) || !(await this.store.find(id, tx, 'FOR KEY SHARE'))) missing.push(id);
    }
    return missing;
  }

  /** Schedules whose current layers name the handle (a responder in them should not be removed). */
  schedulesNaming(handle: string): Promise<Array<{ id: string; name: string }>> {
    return this.store.namingMember(handle);
  }

  /** The final shifts in `[from, to)`; 400 when the range is reversed or over 93 days. */
  async shifts(scheduleId: string, from: number, to: number): Promise<ShiftView[]> {
    throwIfAny(checkShiftRange(from, to));
    await this.existing(scheduleId);
    return ((await this.resolve([scheduleId], from, to)).get(scheduleId) ?? []).map(shiftView);
  }

  /** Who is on call at `at`, with their whole shift, as the schedule was then. */
  async onCallAt(scheduleId: string, at: number): Promise<OnCallAnswer> {
    await this.existing(scheduleId);
    let shift: Shift | undefined;
    // Most shifts are days long: look close first, and wide only when the shift reaches the edge.
    for (const reach of [NEAR_MS, SHIFT_LOOKAROUND_MS]) {
      const shifts = (await this.resolve([scheduleId], at - reach, at + reach)).get(scheduleId) ?? [];
      shift = shifts.find((s) => s.start <= at && at < s.end);
      if (!shift || (shift.start > at - reach && shift.end < at + reach)) break;
    }
    return {
      at: new Date(at).toISOString(),
      handle: shift?.handle ?? null,
      shift: shift
        ? { start: new Date(shift.start).toISOString(), end: new Date(shift.end).toISOString(), source: shift.source }
        : null,
    };
  }

  /** Every schedule, now. */
  async onCallNow(now: number): Promise<OnCallNowItem[]> {
    const schedules = await this.store.all();
    const resolved = await this.resolve(
      schedules.map((s) => s.id),
      now,
      now + SHIFT_LOOKAROUND_MS,
    );
    return schedules.map((schedule) => {
      const shifts = resolved.get(schedule.id) ?? [];
      const current = shifts[0] && shifts[0].start <= now ? shifts[0] : undefined;
      const until = current ? current.end : shifts[0]?.start;
      return {
        schedule: { id: schedule.id, name: schedule.name },
        handle: current?.handle ?? null,
        until: until === undefined ? null : new Date(until).toISOString(),
      };
    });
  }

  private async existing(scheduleId: string): Promise<void> {
    if (!isUuid(scheduleId) || !(await this.store.find(scheduleId))) throw scheduleNotFound(scheduleId);
  }

  /** The final shifts of each schedule in `[from, to)` (read through `tx` when given, so a write in it is seen). */
  async resolve(ids: string[], from: number, to: number, tx?: EntityManager): Promise<Map<string, Shift[]>> {
    const range = [new Date(from), new Date(to), tx] as const;
    const [versions, overrides] = await Promise.all([
      this.store.versionsFor(ids, ...range),
      this.store.overridesFor(ids, ...range),
    ]);
    return new Map(
      ids.map((id) => [
        id,
        finalShifts({ versions: versions.get(id) ?? [], overrides: overrides.get(id) ?? [], from, to }),
      ]),
    );
  }
}
