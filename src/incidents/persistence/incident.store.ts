import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';
import { AfterCommit } from '../../platform/database/after-commit';
import { IncidentNotFound } from '../incident-not-found';
import { GatheredCommands } from './gathered-commands';
import { OUTBOX_CHANNEL } from './incident-outbox';
import { CommandContext, DeclareIncidentInput, Incident, IncidentEvent, NUMBER_DRAWN_ON_WRITE } from '../domain';
import { ActionItemRow, INCIDENT_COLUMNS, IncidentRow, incidentRowValues, stateFromRows } from './incident-rows';

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
/** Gathered command batches under way at once, and the most commands one batch takes. */
const GATHER_WORKERS = 4;
const GATHER_MAX = 200;

type DeclareInput = Omit<DeclareIncidentInput, 'id' | 'number'> & { id?: string };

/** What a gathered command or declaration answers its caller with. */
interface Gathered {
  resolve: (result: CommandResult<unknown>) => void;
  reject: (error: unknown) => void;
}

interface Declaration extends Gathered {
  input: DeclareInput;
  actor: string;
  then?: (incident: Incident, ctx: CommandContext) => void;
}

interface Submission<T> {
  incidentId: string;
  options: ExecuteOptions;
  act: (incident: Incident, ctx: CommandContext) => T;
  resolve: (result: CommandResult<T>) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs a gathered batch: together (unless it is one), then what is left alone, one after
 * another so two commands on one incident keep their order. Every caller is settled, even if
 * something unexpected throws (settling a settled promise changes nothing).
 */
async function settleGathered<S extends Gathered>(
  batch: S[],
  together: (batch: S[]) => Promise<S[]>,
  alone: (item: S) => Promise<CommandResult<unknown>>,
): Promise<void> {
  try {
    const left = batch.length === 1 ? batch : await together(batch);
    for (const item of left) await alone(item).then(item.resolve, item.reject);
  } catch (error) {
    for (const item of batch) item.reject(error);
  }
}

/**
 * An error PostgreSQL answered with (an ErrorResponse: a SQLSTATE and a severity), so the
 * statement did not commit. Socket errors (EPIPE, ECONNRESET) carry a code but no severity.
 */
function refusedByServer(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/**
 * The incident's unit of work: load the aggregate under a row lock, run one command, then
 * write its events, the incident row and its action items in one transaction. The events
 * table is the outbox, so the relay is woken (pg_notify) by the same commit.
 */
@Injectable()
export class IncidentStore {
  private readonly committedListeners: Array<() => void> = [];

  /** Appends in a caller's transaction wake the relay once that commits. */
  private readonly afterCommit: AfterCommit;

  constructor(private readonly db: DataSource) {
    this.afterCommit = new AfterCommit(db);
  }

  /**
   * Whether an append must wake other instances' relay by pg_notify. Each NOTIFY serialises
   * commits on a database-wide lock; when this instance's relay leads, the in-process wake-up
   * (`onCommitted`) is all it takes, and a new leader starts by reading every unpublished row.
   */
  wakeOthersWhen(check: () => boolean): void {
    this.othersNeedWaking = check;
  }

  private othersNeedWaking: () => boolean = () => true;

  /** Appended to a statement's final select list: the relay's wake-up, where others need it. */
  private wakeRelay(): string {
    return this.othersNeedWaking() ? `, pg_notify('${OUTBOX_CHANNEL}', '')` : '';
  }

  /** Called after every commit that appended events (wakes the outbox relay in this process). */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  /**
   * Declares an incident; `then` runs more of the aggregate's commands on it before the one
   * append, which also draws its number (an alert-declared incident attaches its alerts in
   * the same statement: one round trip for a new incident).
   */
  async declare(
    input: DeclareInput,
    options: ExecuteOptions,
    then?: (incident: Incident, ctx: CommandContext) => void,
  ): Promise<CommandResult<void>> {
    if (options.manager) return this.declareAlone(input, options, then);
    return new Promise<CommandResult<void>>((resolve, reject) =>
      this.gatheredDeclarations.submit({ input, actor: options.actor, then, resolve, reject } as Declaration),
    );
  }

  private async declareAlone(
    input: DeclareInput,
    options: ExecuteOptions,
    then?: (incident: Incident, ctx: CommandContext) => void,
  ): Promise<CommandResult<void>> {
    const tx = options.manager ?? this.db.manager;
    const ctx: CommandContext = { actor: options.actor, now: new Date() };
    const incident = Incident.declare({ ...input, id: input.id ?? randomUUID(), number: NUMBER_DRAWN_ON_WRITE }, ctx);
    then?.(incident, ctx);
    const events = await this.append(tx, incident, true);
    this.afterCommit.run(options.manager, this.committed);
    return { incident, events, result: undefined };
  }

  /**
   * Declares several incidents in a caller's transaction (an alert batch of a storm): unless
   * one touches action items, one append for them all, which draws their numbers.
   * `then` of each runs on it before the append, as in `declare`.
   */
  async declareAll(
    declarations: Array<{
      input: Omit<DeclareIncidentInput, 'id' | 'number'> & { id?: string };
      then?: (incident: Incident, ctx: CommandContext) => void;
    }>,
    options: ExecuteOptions & { manager: EntityManager },
  ): Promise<Array<CommandResult<void>>> {
    if (declarations.length === 0) return [];
    const tx = options.manager;
    this.afterCommit.run(tx, this.committed);
    const ctx: CommandContext = { actor: options.actor, now: new Date() };
    const incidents = declarations.map(({ input, then }) => {
      const incident = Incident.declare({ ...input, id: input.id ?? randomUUID(), number: NUMBER_DRAWN_ON_WRITE }, ctx);
      then?.(incident, ctx);
      return incident;
    });
    const written = await this.appendAll(tx, incidents, true);
    return incidents.map((incident, i) => ({ incident, events: written[i], result: undefined }));
  }

  /**
   * Runs one `act` per incident in a caller's transaction (an alert batch attaching alerts to
   * several open incidents): one load for all, under their row locks taken in id order, and,
   * unless one touches action items, one append for all. An unknown incident is a not-found,
   * as with `execute`.
   */
  async actAll<T>(
    actions: Array<{ incidentId: string; act: (incident: Incident, ctx: CommandContext) => T }>,
    options: ExecuteOptions & { manager: EntityManager },
  ): Promise<Array<CommandResult<T>>> {
    if (actions.length === 0) return [];
    const tx = options.manager;
    for (const { incidentId } of actions) if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const loaded = new Map(
      (await this.loadMany(tx, [...new Set(actions.map((a) => a.incidentId))], true)).map((i) => [i.id, i]),
    );
    const ctx: CommandContext = { actor: options.actor, now: new Date() };
    const results = actions.map(({ incidentId, act }) => {
      const incident = loaded.get(incidentId);
      if (!incident) throw new IncidentNotFound(incidentId);
      return { incident, result: act(incident, ctx) };
    });
    // One incident acted on twice appends once, with all its events.
    const incidents = [...new Set(results.map((r) => r.incident))];
    const appended = await this.appendAll(tx, incidents, false);
    const written = new Map(incidents.map((incident, i) => [incident, appended[i]]));
    this.afterCommit.run(tx, this.committed);
    const handed = new Set<Incident>();
    return results.map(({ incident, result }) => {
      // The events go with the first result of their incident.
      const events = handed.has(incident) ? [] : (written.get(incident) ?? []);
      handed.add(incident);
      return { incident, events, result };
    });
  }

  /**
   * Appends each incident's recorded events: one statement for all, unless one touches action
   * items (then one `write` each, which also writes the items). Answers each one's events.
   */
  private async appendAll(tx: EntityManager, incidents: Incident[], isNew: boolean): Promise<StoredEvent[][]> {
    const pending = incidents.map((incident) => toStoredEvents(incident));
    if (!pending.some((events) => events.some(touchesActionItem))) {
      await this.writeMany(tx, incidents, pending);
      return pending;
    }
    const written: StoredEvent[][] = [];
    for (const [i, incident] of incidents.entries()) written.push(await this.write(tx, incident, pending[i], isNew));
    return written;
  }

  /**
   * The events and incident rows of several incidents in one statement, for incidents whose
   * events touch no action item. A new row is inserted, an existing one replaced: the caller
   * holds its row lock (or it is new), so no version guard is needed.
   */
  private async writeMany(tx: EntityManager, incidents: Incident[], pending: StoredEvent[][]): Promise<void> {
    const changed = incidents.flatMap((incident, i) =>
      pending[i].length > 0 ? [{ incident, events: pending[i] }] : [],
    );
    if (changed.length === 0) return;
    const events = changed.flatMap((c) => c.events);
    const rows = changed.map(({ incident, events: own }) => {
      const values = incidentRowValues(incident.snapshot(), incident.notes, own[own.length - 1].occurredAt);
      return Object.fromEntries(INCIDENT_COLUMN_NAMES.map((column, c) => [column, values[c]]));
    });
    const updates = INCIDENT_COLUMN_NAMES.filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    const toNumber = changed.flatMap(({ incident }) => (awaitsNumber(incident) ? [incident.id] : []));
    // json_populate_recordset types each column from the table itself. New incidents draw their
    // numbers here (a number lost to a failed statement is a gap in the numbering, nothing worse).
    const [{ numbers }] = (await tx.query(
      `WITH numbered AS MATERIALIZED (
         SELECT id, nextval('incident_number_seq')::int AS number FROM unnest($8::uuid[]) AS n(id)
       ), appended AS (
         INSERT INTO incident_events (incident_id, seq, type, actor, occurred_at, data)
         SELECT e.incident_id, e.seq, e.type, e.actor, e.occurred_at, ${numberedData('e.incident_id')}
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
           AS e(incident_id, seq, type, actor, occurred_at, data)
       ), current AS (
         INSERT INTO incidents (${INCIDENT_COLUMN_NAMES.join(', ')})
         SELECT ${INCIDENT_COLUMN_NAMES.map((c) => (c === 'number' ? `COALESCE(${drawnFor('r.id')}, r.number)` : `r.${c}`)).join(', ')}
         FROM json_populate_recordset(NULL::incidents, $7::json) AS r
         ON CONFLICT (id) DO UPDATE SET ${updates}
       )
       SELECT (SELECT json_object_agg(id, number) FROM numbered) AS numbers${this.wakeRelay()}`,
      [events.map((e) => e.incidentId), ...eventColumns(events), JSON.stringify(rows), toNumber],
    )) as [{ numbers: Record<string, number> | null }];
    for (const { incident, events: own } of changed) {
      const number = numbers?.[incident.id.toLowerCase()];
      if (number !== undefined) numberDrawn(incident, own, number);
    }
  }

  /**
   * Runs `act` against the current incident. The common case is two round trips: read, then
   * one atomic statement that appends the events (the `(incident_id, seq)` key rejects a lost
   * race) and updates the read models. A lost race is retried under the row lock, so it cannot
   * lose again; with an expected version (If-Match) it is a 412 instead. Inside a caller's
   * transaction (`manager`) the row lock is taken from the start.
   */
  async execute<T>(
    incidentId: string,
    options: ExecuteOptions,
    act: (incident: Incident, ctx: CommandContext) => T,
  ): Promise<CommandResult<T>> {
    if (options.manager) {
      const result = await this.attempt(options.manager, incidentId, options, act, true);
      this.afterCommit.run(options.manager, this.committed);
      return result;
    }
    return new Promise<CommandResult<T>>((resolve, reject) =>
      this.gathered.submit({ incidentId, options, act, resolve, reject } as Submission<unknown>),
    );
  }

  /** The optimistic path of `execute` for one command, retried under the row lock after a lost race. */
  private async executeAlone<T>(
    incidentId: string,
    options: ExecuteOptions,
    act: (incident: Incident, ctx: CommandContext) => T,
  ): Promise<CommandResult<T>> {
    try {
      const result = await this.attempt(this.db.manager, incidentId, options, act, false);
      this.committed();
      return result;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (options.expectedVersion !== undefined) throw versionConflict();
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.db.transaction((tx) => this.attempt(tx, incidentId, options, act, true));
        this.committed();
        return result;
      } catch (error) {
        // The row lock serialises writers; a violation here means the read model and the log
        // disagree, which a bounded retry cannot fix for ever.
        if (!isUniqueViolation(error) || attempt >= MAX_ATTEMPTS) {
          throw isUniqueViolation(error) ? versionConflict() : error;
        }
      }
    }
  }

  /** The largest batch of commands and of declarations gathered so far (tests, benchmarks). */
  get gatheredLargest(): { commands: number; declarations: number } {
    return { commands: this.gathered.stats.largest, declarations: this.gatheredDeclarations.stats.largest };
  }

  private readonly gathered = new GatheredCommands<Submission<unknown>>(
    (batch) => this.runGathered(batch),
    GATHER_WORKERS,
    GATHER_MAX,
  );

  /**
   * Commands gathered while others ran: one load for all their incidents and one statement
   * appending all their events, atomic without a transaction. The `(incident_id, seq)` key
   * rejects the whole statement if any incident lost a race; then, and for what one statement
   * cannot carry (two commands on one incident, action items), each runs on its own as before.
   * A command the aggregate refuses fails alone: nothing of it was written.
   */
  private runGathered(batch: Array<Submission<unknown>>): Promise<void> {
    return settleGathered(
      batch,
      (b) => this.runTogether(b),
      (s) => this.executeAlone(s.incidentId, s.options, s.act),
    );
  }

  /** Settles what one load and one statement can; returns the commands left to run alone. */
  private async runTogether(batch: Array<Submission<unknown>>): Promise<Array<Submission<unknown>>> {
    const commandsOn = new Map<string, number>();
    for (const s of batch) commandsOn.set(s.incidentId, (commandsOn.get(s.incidentId) ?? 0) + 1);
    let loaded: Map<string, Incident>;
    try {
      loaded = new Map(
        (await this.loadMany(this.db.manager, [...commandsOn.keys()].filter(isUuid), false)).map((i) => [i.id, i]),
      );
    } catch {
      return batch; // nothing read, nothing written: each runs alone, with its own outcome
    }
    const now = new Date();
    const alone: Array<Submission<unknown>> = [];
    const together: Array<{ s: Submission<unknown>; incident: Incident; events: StoredEvent[]; result: unknown }> = [];
    for (const s of batch) {
      const incident = loaded.get(s.incidentId);
      if (!incident) s.reject(new IncidentNotFound(s.incidentId));
      else if (commandsOn.get(s.incidentId)! > 1) alone.push(s);
      else if (s.options.expectedVersion !== undefined && incident.version !== s.options.expectedVersion) {
        s.reject(versionMismatch(incident.version, s.options.expectedVersion));
      } else {
        let result: unknown;
        try {
          result = s.act(incident, { actor: s.options.actor, now });
        } catch (error) {
          s.reject(error); // refused by the aggregate: nothing of it is written
          continue;
        }
        const events = toStoredEvents(incident);
        if (events.some(touchesActionItem)) alone.push(s);
        else together.push({ s, incident, events, result });
      }
    }
    return this.writeGathered(together, alone);
  }

  /**
   * One statement for what was gathered, then each caller gets its own result. Refused by
   * PostgreSQL (a lost race, say), nothing of it was written: all of it is returned to run
   * alone. Unanswered, it may have committed: its callers get the error instead.
   */
  private async writeGathered<S extends Gathered>(
    together: Array<{ s: S; incident: Incident; events: StoredEvent[]; result: unknown }>,
    alone: S[],
  ): Promise<S[]> {
    if (together.length === 0) return alone;
    // In id order, the order alert batches and paging lock incident rows in: no deadlock with them.
    together.sort((a, b) => (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0));
    try {
      await this.writeMany(
        this.db.manager,
        together.map((t) => t.incident),
        together.map((t) => t.events),
      );
    } catch (error) {
      // PostgreSQL refused the statement (a lost race, say): nothing of it was written, so
      // each runs alone. Without an answer (the connection dropped) it may have committed:
      // running them again could apply them twice, so each caller gets the error, as alone.
      if (!refusedByServer(error)) {
        for (const { s } of together) s.reject(error);
        return alone;
      }
      return [...alone, ...together.map((t) => t.s)];
    }
    this.committed();
    for (const { s, incident, events, result } of together) s.resolve({ incident, events, result });
    return alone;
  }

  private readonly gatheredDeclarations = new GatheredCommands<Declaration>(
    (batch) =>
      settleGathered(
        batch,
        (b) => this.declareTogether(b),
        (d) => this.declareAlone(d.input, { actor: d.actor }, d.then),
      ),
    GATHER_WORKERS,
    GATHER_MAX,
  );

  /**
   * Declarations gathered while others ran: one statement for all, which draws their numbers
   * (atomic without a transaction). Returns those left to declare alone: all of them if the
   * statement failed (numbers it drew are gaps), and any whose events touch action items.
   */
  private async declareTogether(batch: Declaration[]): Promise<Declaration[]> {
    const now = new Date();
    const alone: Declaration[] = [];
    const together: Array<{ s: Declaration; incident: Incident; events: StoredEvent[]; result: undefined }> = [];
    for (const d of batch) {
      let incident: Incident;
      try {
        const ctx: CommandContext = { actor: d.actor, now };
        incident = Incident.declare({ ...d.input, id: d.input.id ?? randomUUID(), number: NUMBER_DRAWN_ON_WRITE }, ctx);
        d.then?.(incident, ctx);
      } catch (error) {
        d.reject(error);
        continue;
      }
      const events = toStoredEvents(incident);
      if (events.some(touchesActionItem)) alone.push(d);
      else together.push({ s: d, incident, events, result: undefined });
    }
    return this.writeGathered(together, alone);
  }

  private async attempt<T>(
    tx: EntityManager,
    incidentId: string,
    options: ExecuteOptions,
    act: (incident: Incident, ctx: CommandContext) => T,
    forUpdate: boolean,
  ): Promise<CommandResult<T>> {
    const incident = await this.load(tx, incidentId, forUpdate);
    if (options.expectedVersion !== undefined && incident.version !== options.expectedVersion) {
      throw versionMismatch(incident.version, options.expectedVersion);
    }
    const result = act(incident, { actor: options.actor, now: new Date() });
    const events = await this.append(tx, incident, false);
    return { incident, events, result };
  }

  /** One function for the store's lifetime, so AfterCommit runs it once per transaction. */
  private readonly committed = (): void => {
    for (const listener of this.committedListeners) {
      try {
        listener();
      } catch {
        // A wake-up only: the relay's poll finds the rows anyway, and what committed stays committed.
      }
    }
  };

  /** Loads the aggregate from its read model; `forUpdate` holds the row lock for the transaction. */
  async load(tx: EntityManager, incidentId: string, forUpdate: boolean): Promise<Incident> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const [incident] = await this.loadMany(tx, [incidentId], forUpdate);
    if (!incident) throw new IncidentNotFound(incidentId);
    return incident;
  }

  /** The incidents that exist among `ids`, in id order (the order their row locks are taken in). */
  private async loadMany(tx: EntityManager, ids: string[], forUpdate: boolean): Promise<Incident[]> {
    const rows = (await tx.query(
      `SELECT ${INCIDENT_COLUMNS},
         (SELECT coalesce(json_agg(json_build_object(
             'id', a.id, 'incident_id', a.incident_id, 'title', a.title, 'owner', a.owner,
             'due_date', to_char(a.due_date, 'YYYY-MM-DD'), 'status', a.status,
             'created_at', a.created_at, 'updated_at', a.updated_at) ORDER BY a.created_at, a.id), '[]')
          FROM action_items a WHERE a.incident_id = incidents.id) AS action_items
       FROM incidents WHERE id = ANY($1::uuid[]) ORDER BY id ${forUpdate ? 'FOR UPDATE' : ''}`,
      [ids],
    )) as Array<
      IncidentRow & {
        action_items: Array<
          Omit<ActionItemRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string }
        >;
      }
    >;
    return rows.map((row) => {
      const items: ActionItemRow[] = row.action_items.map((i) => ({
        ...i,
        created_at: new Date(i.created_at),
        updated_at: new Date(i.updated_at),
      }));
      return Incident.restore(row.id, stateFromRows(row, items));
    });
  }

  /**
   * One statement, so atomic even outside a transaction: the events (the outbox), the
   * incident row, the action items the events touched, and the relay's wake-up.
   */
  private append(tx: EntityManager, incident: Incident, isNew: boolean): Promise<StoredEvent[]> {
    return this.write(tx, incident, toStoredEvents(incident), isNew);
  }

  private async write(
    tx: EntityManager,
    incident: Incident,
    events: StoredEvent[],
    isNew: boolean,
  ): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const firstSeq = events[0].seq;
    const items = [...new Set(events.filter(touchesActionItem).map((e) => String(e.data.actionItemId)))]
      .map((id) => incident.actionItem(id))
      .filter((item) => item !== undefined);
    const snapshot = incident.snapshot();
    const values = incidentRowValues(snapshot, incident.notes, events[events.length - 1].occurredAt);
    const columns = INCIDENT_COLUMN_NAMES;
    const first = 15; // $1..$14 are the event and action item arrays and the draw flag below
    const placeholders = columns
      .map((c, i) => (c === 'number' ? `COALESCE(${drawnFor('$1::uuid')}, $${i + first})` : `$${i + first}`))
      .join(', ');
    const updates = columns
      .filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    const [{ number }] = (await tx.query(
      `WITH numbered AS MATERIALIZED (
         SELECT $1::uuid AS id, nextval('incident_number_seq')::int AS number WHERE $14::boolean
       ), appended AS (
         INSERT INTO incident_events (incident_id, seq, type, actor, occurred_at, data)
         SELECT $1::uuid, e.seq, e.type, e.actor, e.occurred_at, ${numberedData('$1::uuid')}
         FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
           AS e(seq, type, actor, occurred_at, data)
       ), current AS (
         INSERT INTO incidents (${columns.join(', ')}) VALUES (${placeholders})
         ON CONFLICT (id) DO UPDATE SET ${updates}
         ${isNew ? '' : `WHERE incidents.version = ${Number(firstSeq - 1)}`}
       ), items AS (
         INSERT INTO action_items (id, incident_id, title, owner, due_date, status, created_at, updated_at)
         SELECT id, $1::uuid, title, owner, due_date, status, created_at, updated_at
         FROM unnest($7::uuid[], $8::text[], $9::text[], $10::date[], $11::text[], $12::timestamptz[], $13::timestamptz[])
           AS i (id, title, owner, due_date, status, created_at, updated_at)
         ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, owner = EXCLUDED.owner,
           due_date = EXCLUDED.due_date, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
       )
       SELECT (SELECT number FROM numbered) AS number${this.wakeRelay()}`,
      [
        incident.id,
        ...eventColumns(events),
        items.map((i) => i.id),
        items.map((i) => i.title),
        items.map((i) => i.owner),
        items.map((i) => i.dueDate),
        items.map((i) => i.status),
        items.map((i) => i.createdAt),
        items.map((i) => i.updatedAt),
        awaitsNumber(incident),
        ...values,
      ],
    )) as [{ number: number | null }];
    if (number !== null) numberDrawn(incident, events, number);
    return events;
  }
}

/**
 * The number the statement's `numbered` CTE drew for an incident (NULL for one not new). A
 * scalar subquery rather than a join, so rows keep their unnest order: an incident's events
 * take their positions in seq order, and rows their locks in id order.
 */
const drawnFor = (id: string) => `(SELECT number FROM numbered WHERE numbered.id = ${id})`;

/** An event's data, with the drawn number in a declaration. */
const numberedData = (id: string) => `CASE WHEN e.type = 'incident.declared' AND ${drawnFor(id)} IS NOT NULL
  THEN jsonb_set(e.data, '{number}', to_jsonb(${drawnFor(id)})) ELSE e.data END`;

function awaitsNumber(incident: Incident): boolean {
  return incident.number === NUMBER_DRAWN_ON_WRITE;
}

/** Gives the aggregate and its declaration (as written) the number the statement drew. */
function numberDrawn(incident: Incident, events: StoredEvent[], number: number): void {
  incident.numberDrawn(number);
  for (const event of events) if (event.type === 'incident.declared') event.data = { ...event.data, number };
}

const INCIDENT_COLUMN_NAMES = INCIDENT_COLUMNS.split(',').map((c) => c.trim());

/** The aggregate's recorded events, numbered from its version: what one append writes. */
function toStoredEvents(incident: Incident): StoredEvent[] {
  const pending = incident.pullEvents();
  const firstSeq = incident.version - pending.length + 1;
  return pending.map((e: IncidentEvent, i) => ({
    seq: firstSeq + i,
    incidentId: incident.id,
    type: e.type,
    occurredAt: e.occurredAt,
    actor: e.actor,
    data: e.data as unknown as Record<string, unknown>,
  }));
}

/** seq, type, actor, occurred_at and data of `events`, as the arrays the appends unnest. */
function eventColumns(events: StoredEvent[]): unknown[] {
  return [
    events.map((e) => e.seq),
    events.map((e) => e.type),
    events.map((e) => e.actor),
    events.map((e) => e.occurredAt),
    events.map((e) => JSON.stringify(e.data)),
  ];
}

function touchesActionItem(event: StoredEvent): boolean {
  return event.type === 'action_item.added' || event.type === 'action_item.updated';
}

function versionConflict(): AppError {
  return new AppError(
    'precondition_failed',
    'VERSION_CONFLICT',
    'The incident changed concurrently; read it again and retry',
  );
}

function versionMismatch(current: number, expected: number): AppError {
  return new AppError(
    'precondition_failed',
    'VERSION_MISMATCH',
    `If-Match names version ${expected} but the incident is at version ${current}`,
  );
}
