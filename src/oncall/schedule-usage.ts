import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Who else depends on a schedule. A module that names schedules (paging's escalation policies)
 * registers a check at start-up; deleting a schedule asks every check inside the deleting
 * transaction, after the schedule row is locked, and answers 409 `SCHEDULE_IN_USE` when any
 * names a user. To close the race with a concurrent delete, the other module locks the
 * schedules it names while saving (`OnCallDirectory.lockSchedules(ids, tx)`), so either its
 * row is visible to the check or the delete has already happened and its save fails.
 *
 *   constructor(usage: ScheduleUsage) {
 *     usage.register('escalation policies', async (scheduleId, tx) =>
 *       (await tx.query(`SELECT name FROM … WHERE … = $1`, [scheduleId])).map((r) => `escalation policy ${r.name}`));
 *   }
 */
export type ScheduleUseCheck = (scheduleId: string, tx: EntityManager) => Promise<string[]>;

@Injectable()
export class ScheduleUsage {
  private readonly checks = new Map<string, ScheduleUseCheck>();

  /** One check per name; registering a name twice is a wiring mistake. */
  register(name: string, check: ScheduleUseCheck): void {
    if (this.checks.has(name)) throw new Error(`a schedule use check named "${name}" is already registered`);
    this.checks.set(name, check);
  }

  /** What uses the schedule, described for a person (empty: nothing). */
  async usersOf(scheduleId: string, tx: EntityManager): Promise<string[]> {
    const users: string[] = [];
    for (const check of this.checks.values()) users.push(...(await check(scheduleId, tx)));
    return users;
  }
}
