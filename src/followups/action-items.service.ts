import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AddActionItem,
  ResponderDirectory,
  UpdateActionItem,
  validActionItemTitle,
  validDueDate,
  validOwner,
} from '../incidents';
import { AppError } from '../platform/http/app-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { normalTags } from './domain/action-item-rules';
import { dayIn } from './domain/digest';
import type { CreateActionItemDto, ListActionItemsQuery, UpdateFollowupItemDto } from './http/action-item.dto';
import { ActionItemStore, FollowupItemView } from './persistence/action-item.store';

const DEFAULT_LIMIT = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one list of action items. An incident's item is written by the incident aggregate
 * (`AddActionItem` / `UpdateActionItem`, so it is on that timeline, as in v1) and then
 * written through into the list in the same request, so whoever adds an item sees it when
 * they list at once; the event consumer brings in items made through the v1 endpoints.
 * Standalone items (a meeting's list) live only here.
 */
@Injectable()
export class ActionItems {
  constructor(
    private readonly db: DataSource,
    private readonly store: ActionItemStore,
    private readonly commands: CommandBus,
    private readonly responders: ResponderDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(body: CreateActionItemDto, actor: string): Promise<FollowupItemView> {
    await this.checkOwner(body.owner);
    const tags = normalTags(body.tags ?? []);
    if (body.incidentId) {
      const item = await this.commands.execute(
        new AddActionItem(body.incidentId, { title: body.title, owner: body.owner, dueDate: body.dueDate }, actor),
      );
      await this.store.upsertIncidentItem(item, actor, tags);
      return (await this.store.find(item.id, today()))!;
    }
    const id = randomUUID();
    await this.db.transaction((tx) =>
      this.store.insertStandalone(tx, {
        id,
        title: validActionItemTitle(body.title),
        owner: validOwner(body.owner),
        dueDate: validDueDate(body.dueDate),
        tags,
        createdBy: actor,
        at: new Date(),
      }),
    );
    return (await this.store.find(id, today()))!;
  }

  async update(id: string, body: UpdateFollowupItemDto, actor: string, expectedVersion?: number): Promise<FollowupItemView> {
    const current = UUID.test(id) ? await this.store.find(id, today()) : null;
    if (!current) throw new AppError('not_found', 'ACTION_ITEM_NOT_FOUND', `No action item with id ${id}`);
    if (body.owner) await this.checkOwner(body.owner);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new AppError('precondition_failed', 'VERSION_MISMATCH', `Action item is at version ${current.version}, not ${expectedVersion}`);
    }
    const tags = body.tags === undefined ? undefined : normalTags(body.tags);
    if (current.incidentId) {
      const { tags: _tags, ...changes } = body;
      const item = await this.commands.execute(new UpdateActionItem(current.incidentId, id, changes, actor));
      await this.store.upsertIncidentItem(item, actor, tags);
      return (await this.store.find(id, today()))!;
    }
    await this.db.transaction(async (tx) => {
      const locked = await this.store.find(id, today(), tx);
      if (expectedVersion !== undefined && locked?.version !== expectedVersion) {
        throw new AppError('precondition_failed', 'VERSION_MISMATCH', `Action item is at version ${locked?.version}, not ${expectedVersion}`);
      }
      await this.store.updateStandalone(
        tx,
        id,
        {
          title: body.title === undefined ? undefined : validActionItemTitle(body.title),
          owner: body.owner === undefined ? undefined : validOwner(body.owner),
          dueDate: body.dueDate === undefined ? undefined : validDueDate(body.dueDate),
          status: body.status,
          tags,
        },
        new Date(),
      );
    });
    return (await this.store.find(id, today()))!;
  }

  async list(query: ListActionItemsQuery): Promise<{ items: FollowupItemView[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const { items, last } = await this.store.list({
      owner: query.owner,
      status: query.status,
      overdue: query.overdue,
      tag: query.tag?.toLowerCase(),
      incidentId: query.incidentId,
      today: today(),
      limit,
      after: query.cursor === undefined ? undefined : decodeItemCursor(query.cursor),
    });
    return { items, nextCursor: last ? encodeItemCursor(last) : null };
  }

  /** An owner must be someone the digest can reach: a responder in the directory. */
  private async checkOwner(owner: string | null | undefined): Promise<void> {
    if (!owner) return;
    if (await this.responders.find(owner)) return;
    throw new AppError('invalid', 'UNKNOWN_OWNER', `owner "${owner}" is not a responder (add them with PUT /api/v1/responders/${owner})`, [
      { path: 'owner', problem: `no responder with handle "${owner}"` },
    ]);
  }

  /** Today in the digest's zone, for pages that want the owner's calendar. */
  digestToday(): string {
    return dayIn(new Date(), this.config.reminder.timeZone);
  }
}

/** `overdue` is measured against today in UTC, as the contract says. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function encodeItemCursor(position: { due: string; id: string }): string {
  return Buffer.from(JSON.stringify({ d: position.due, i: position.id })).toString('base64url');
}

function decodeItemCursor(cursor: string): { due: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown; i?: unknown };
    if (
      typeof parsed.d === 'string' &&
      (parsed.d === 'infinity' || /^\d{4}-\d{2}-\d{2}$/.test(parsed.d)) &&
      typeof parsed.i === 'string' &&
      UUID.test(parsed.i)
    ) {
      return { due: parsed.d, id: parsed.i };
    }
  } catch {
    // not base64url JSON: the 400 below
  }
  throw new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned', [
    { path: 'cursor', problem: 'not a cursor returned by this API' },
  ]);
}
