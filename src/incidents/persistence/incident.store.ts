import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../platform/http/app-error';
import { OUTBOX_CHANNEL } from '../../platform/messaging/outbox-relay';
import { CommandContext, DeclareIncidentInput, Incident, IncidentEvent } from '../domain';
import {
  ActionItemRow,
  INCIDENT_COLUMNS,
  IncidentRow,
  incidentRowValues,
  stateFromRows,
} from './incident-rows';

/** One event as stored: the timeline entry of the contract. */
export interface StoredEvent {
  seq: number;
  incidentId: string;
  type: string;
  occurredAt: Date;
  actor: string;
  data: Record<string, unknown>;
}

export interface CommandResult<T> {
  incident: Incident;
  events: StoredEvent[];
  result: T;
}

export interface ExecuteOptions {
  actor: string;
  /** The version the caller saw (If-Match); a different current version is a 412. */
  expectedVersion?: number;
  /** Run inside this transaction instead of a new one (the alert consumer's). */
  manager?: EntityManager;
}

const MAX_ATTEMPTS = 5;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

export class IncidentNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'INCIDENT_NOT_FOUND', `No incident with id ${id}`);
  }
}

/**
 * The incident's unit of work: load the aggregate under a row lock, run one command, then
 * write its events, the incident row and its action items in one transaction. The events
 * table is the outbox, so the relay is woken (pg_notify) by the same commit.
 */
@Injectable()
export class IncidentStore {
  private readonly committedListeners: Array<() => void> = [];

  constructor(private readonly db: DataSource) {}

  /** Called after every commit that appended events (wakes the outbox relay in this process). */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  async declare(
    input: Omit<DeclareIncidentInput, 'id' | 'number'> & { id?: string },
    options: ExecuteOptions,
  ): Promise<CommandResult<void>> {
    return this.inTransaction(options.manager, async (tx) => {
      const [{ number }] = (await tx.query(`SELECT nextval('incident_number_seq')::int AS number`)) as [{ number: number }];
      const ctx: CommandContext = { actor: options.actor, now: new Date() };
      const incident = Incident.declare({ ...input, id: input.id ?? randomUUID(), number }, ctx);
      const events = await this.append(tx, incident, true);
      return { incident, events, result: undefined };
    });
  }

  /**
   * Runs `act` against the current incident. Without an expected version a lost race is
   * retried a bounded number of times; with one it is a 412.
   */
  async execute<T>(
    incidentId: string,
    options: ExecuteOptions,
    act: (incident: Incident, ctx: CommandContext) => T,
  ): Promise<CommandResult<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTransaction(options.manager, async (tx) => {
          const incident = await this.load(tx, incidentId, true);
          if (options.expectedVersion !== undefined && incident.version !== options.expectedVersion) {
            throw versionMismatch(incident.version, options.expectedVersion);
          }
          const result = act(incident, { actor: options.actor, now: new Date() });
          const events = await this.append(tx, incident, false);
          return { incident, events, result };
        });
      } catch (error) {
        const retry = isUniqueViolation(error) && options.expectedVersion === undefined && !options.manager;
        if (!retry || attempt >= MAX_ATTEMPTS) {
          if (isUniqueViolation(error)) {
            throw new AppError('precondition_failed', 'VERSION_CONFLICT', 'The incident changed concurrently; read it again and retry');
          }
          throw error;
        }
      }
    }
  }

  /** Loads the aggregate from its read model; `forUpdate` holds the row lock for the transaction. */
  async load(tx: EntityManager, incidentId: string, forUpdate: boolean): Promise<Incident> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const rows = (await tx.query(
      `SELECT ${INCIDENT_COLUMNS},
         (SELECT coalesce(json_agg(json_build_object(
             'id', a.id, 'incident_id', a.incident_id, 'title', a.title, 'owner', a.owner,
             'due_date', to_char(a.due_date, 'YYYY-MM-DD'), 'status', a.status,
             'created_at', a.created_at, 'updated_at', a.updated_at) ORDER BY a.created_at, a.id), '[]')
          FROM action_items a WHERE a.incident_id = incidents.id) AS action_items
       FROM incidents WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [incidentId],
    )) as Array<IncidentRow & { action_items: Array<Omit<ActionItemRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string }> }>;
    const row = rows[0];
    if (!row) throw new IncidentNotFound(incidentId);
    const items: ActionItemRow[] = row.action_items.map((i) => ({
      ...i,
      created_at: new Date(i.created_at),
      updated_at: new Date(i.updated_at),
    }));
    return Incident.restore(row.id, stateFromRows(row, items));
  }

  private async append(tx: EntityManager, incident: Incident, isNew: boolean): Promise<StoredEvent[]> {
    const pending = incident.pullEvents();
    if (pending.length === 0) return [];
    const firstSeq = incident.version - pending.length + 1;
    const events: StoredEvent[] = pending.map((e: IncidentEvent, i) => ({
      seq: firstSeq + i,
      incidentId: incident.id,
      type: e.type,
      occurredAt: e.occurredAt,
      actor: e.actor,
      data: e.data as unknown as Record<string, unknown>,
    }));
    const snapshot = incident.snapshot();
    const values = incidentRowValues(snapshot, incident.notes, events[events.length - 1].occurredAt);
    const columns = INCIDENT_COLUMNS.split(',').map((c) => c.trim());
    const placeholders = columns.map((_, i) => `$${i + 7}`).join(', ');
    const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    // One round trip: the events (the outbox), the read model, and the relay's wake-up.
    await tx.query(
      `WITH appended AS (
         INSERT INTO incident_events (incident_id, seq, type, actor, occurred_at, data)
         SELECT $1::uuid, * FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ), current AS (
         INSERT INTO incidents (${columns.join(', ')}) VALUES (${placeholders})
         ON CONFLICT (id) DO UPDATE SET ${updates}
         ${isNew ? '' : `WHERE incidents.version = ${Number(firstSeq - 1)}`}
       )
       SELECT pg_notify('${OUTBOX_CHANNEL}', '')`,
      [
        incident.id,
        events.map((e) => e.seq),
        events.map((e) => e.type),
        events.map((e) => e.actor),
        events.map((e) => e.occurredAt),
        events.map((e) => JSON.stringify(e.data)),
        ...values,
      ],
    );
    const touched = new Set(
      events
        .filter((e) => e.type === 'action_item.added' || e.type === 'action_item.updated')
        .map((e) => String(e.data.actionItemId)),
    );
    for (const id of touched) {
      const item = incident.actionItem(id);
      if (!item) continue;
      await tx.query(
        `INSERT INTO action_items (id, incident_id, title, owner, due_date, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, owner = EXCLUDED.owner,
           due_date = EXCLUDED.due_date, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
        [item.id, incident.id, item.title, item.owner, item.dueDate, item.status, item.createdAt, item.updatedAt],
      );
    }
    return events;
  }

  private async inTransaction<T>(manager: EntityManager | undefined, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    if (manager) return work(manager);
    const result = await this.db.transaction(work);
    for (const listener of this.committedListeners) listener();
    return result;
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function versionMismatch(current: number, expected: number): AppError {
  return new AppError(
    'precondition_failed',
    'VERSION_MISMATCH',
    `If-Match names version ${expected} but the incident is at version ${current}`,
  );
}
