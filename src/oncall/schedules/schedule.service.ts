import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ResponderDirectory } from '../../incidents';
import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';
import { checkScheduleDefinition, parseInstant, type FieldProblem, type ScheduleDefinition } from '../domain';
import { invalid, throwIfAny } from '../http/problems';
import type { OverrideDto } from '../http/schedule.dto';
import { OverrideView, ScheduleStore, ScheduleView } from '../persistence/schedule.store';
import { ScheduleUsage } from '../schedule-usage';
import { ShiftStartNotices } from '../notices/shift-start-notices';
import { scheduleNotFound, versionMismatch } from './schedule-errors';

/**
 * Writes to schedules and overrides. Every check runs before the first write, and each write is
 * one transaction, so a 400 leaves nothing behind. An edit becomes a new version in force from
 * now: shifts before now stay as they were.
 */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly responders: ResponderDirectory,
    private readonly usage: ScheduleUsage,
    private readonly notices: ShiftStartNotices,
  ) {}

  async create(input: ScheduleDefinition, actor: string): Promise<ScheduleView> {
    const definition = await this.checked(input);
    return this.store.transaction(async (tx) => {
      const created = await this.store.insert(tx, randomUUID(), definition, actor, new Date());
      await this.notices.replan(created.id, tx);
      return created;
    });
  }

  async replace(id: string, input: ScheduleDefinition, actor: string, expectedVersion?: number): Promise<ScheduleView> {
    if (!isUuid(id)) throw scheduleNotFound(id);
    const definition = await this.checked(input);
    return this.store.transaction(async (tx) => {
      const current = await this.locked(tx, id, expectedVersion);
      const replaced = await this.store.replace(tx, current.id, definition, actor, new Date());
      await this.notices.replan(id, tx);
      return replaced;
    });
  }

  async remove(id: string, expectedVersion?: number): Promise<void> {
    if (!isUuid(id)) throw scheduleNotFound(id);
    await this.store.transaction(async (tx) => {
      await this.locked(tx, id, expectedVersion);
      const users = await this.usage.usersOf(id, tx);
      if (users.length) {
        throw new AppError(
          'conflict',
          'SCHEDULE_IN_USE',
          `The schedule is in use by ${users.join(', ')}; remove it there first`,
        );
      }
      await this.store.delete(tx, id);
    });
  }

  async get(id: string): Promise<ScheduleView> {
    const schedule = isUuid(id) ? await this.store.find(id) : null;
    if (!schedule) throw scheduleNotFound(id);
    return schedule;
  }

  async addOverride(scheduleId: string, input: OverrideDto, actor: string): Promise<OverrideView> {
    await this.get(scheduleId);
    const now = Date.now();
    const problems: FieldProblem[] = [];
    if (!(await this.responders.find(input.handle))) {
      problems.push({ path: 'handle', problem: 'must be a responder in the directory' });
    }
    const start = parseInstant(input.start, 'start');
    const end = parseInstant(input.end, 'end');
    if (typeof start !== 'number') problems.push(start);
    if (typeof end !== 'number') problems.push(end);
    if (typeof start === 'number' && typeof end === 'number') {
      if (end <= start) problems.push({ path: 'end', problem: 'must be after start' });
      else if (end <= now)
        problems.push({ path: 'end', problem: 'must be in the future: an override never rewrites the past' });
    }
    throwIfAny(problems);
    return this.store.transaction(async (tx) => {
      if (!(await this.store.find(scheduleId, tx, 'FOR KEY SHARE'))) throw scheduleNotFound(scheduleId);
      const override = await this.store.insertOverride(tx, {
        id: randomUUID(),
        scheduleId,
        handle: input.handle,
        start: new Date(start as number),
        end: new Date(end as number),
        createdBy: actor,
        now: new Date(now),
      });
      await this.notices.replan(scheduleId, tx);
      return override;
    });
  }

  async removeOverride(scheduleId: string, overrideId: string): Promise<void> {
    await this.get(scheduleId);
    const notFound = new AppError(
      'not_found',
      'OVERRIDE_NOT_FOUND',
      `No override ${overrideId} on schedule ${scheduleId}`,
    );
    if (!isUuid(overrideId)) throw notFound;
    await this.store.transaction(async (tx) => {
      if (!(await this.store.deleteOverride(scheduleId, overrideId, new Date(), tx))) throw notFound;
      await this.notices.replan(scheduleId, tx);
    });
  }

  private async locked(tx: EntityManager, id: string, expectedVersion: number | undefined): Promise<ScheduleView> {
    const current = await this.store.find(id, tx, 'FOR UPDATE');
    if (!current) throw scheduleNotFound(id);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMismatch(expectedVersion, current.version);
    return current;
  }

  /** The definition as it will be stored, or a 400 naming every bad field (members must be responders). */
  private async checked(input: ScheduleDefinition): Promise<ScheduleDefinition> {
    const problems = checkScheduleDefinition(input);
    if (problems.length === 0) {
      const known = new Set((await this.responders.list()).map((r) => r.handle));
      input.layers.forEach((layer, i) =>
        layer.members.forEach((member, j) => {
          if (!known.has(member))
            problems.push({
              path: `layers[${i}].members[${j}]`,
              problem: `${member} is not a responder in the directory`,
            });
        }),
      );
    }
    if (problems.length) throw invalid(problems);
    return {
      name: input.name.trim(),
      timeZone: input.timeZone,
      layers: input.layers,
      notifyShiftStart: input.notifyShiftStart ?? false,
    };
  }
}
