import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CommandContext, DeclareIncidentInput, Incident } from './domain';
import { IncidentView, TimelineEntry, toIncidentView, toTimelineEntry } from './incident-views';
import { IncidentStore } from './persistence/incident.store';

export interface IncidentCommandOptions {
  /** Who acts: a responder handle, a token name, `system`, `automation:<name>`. */
  actor: string;
  /** The version the caller saw (If-Match); another current version is a 412. */
  expectedVersion?: number;
  /**
   * Join the caller's transaction, so the caller's own rows and the incident's events commit
   * together (the alert consumer's batch, a timer firing). The row lock is taken from the start.
   */
  tx?: EntityManager;
}

export interface IncidentCommandResult<T> {
  incident: IncidentView;
  /** The timeline entries this command appended (none when it changed nothing). */
  events: TimelineEntry[];
  result: T;
}

export type DeclareInput = Omit<DeclareIncidentInput, 'id' | 'number'> & { id?: string };

/**
 * The incidents module's command port: what other modules may do to an incident. Every change
 * goes through the aggregate's rules and one atomic append (events = outbox + read model).
 * Other modules never touch the incidents tables.
 */
@Injectable()
export class IncidentCommands {
  constructor(private readonly store: IncidentStore) {}

  /** Declares an incident; `then` records more on it in the same append (e.g. the alerts that declared it). */
  async declare(
    input: DeclareInput,
    options: IncidentCommandOptions,
    then?: (incident: Incident, ctx: CommandContext) => void,
  ): Promise<IncidentCommandResult<void>> {
    const { incident, events } = await this.store.declare(input, { actor: options.actor, manager: options.tx }, then);
    return { incident: toIncidentView(incident.snapshot()), events: events.map((e) => toTimelineEntry(e)), result: undefined };
  }

  /**
   * Declares several incidents inside the caller's transaction with fewer round trips than one
   * `declare` each (one append, which draws their numbers), as an alert batch of a storm does.
   */
  async declareAll(
    declarations: Array<{ input: DeclareInput; then?: (incident: Incident, ctx: CommandContext) => void }>,
    options: IncidentCommandOptions & { tx: EntityManager },
  ): Promise<Array<IncidentCommandResult<void>>> {
    const results = await this.store.declareAll(declarations, { actor: options.actor, manager: options.tx });
    return results.map(({ incident, events }) => ({
      incident: toIncidentView(incident.snapshot()),
      events: events.map((e) => toTimelineEntry(e)),
      result: undefined,
    }));
  }

  /**
   * Runs one `decide` per incident inside the caller's transaction with one load and (usually)
   * one append for them all, as an alert batch attaching alerts to open incidents does.
   */
  async actAll<T>(
    actions: Array<{ incidentId: string; decide: (incident: Incident, ctx: CommandContext) => T }>,
    options: IncidentCommandOptions & { tx: EntityManager },
  ): Promise<Array<IncidentCommandResult<T>>> {
    const results = await this.store.actAll(
      actions.map((a) => ({ incidentId: a.incidentId, act: a.decide })),
      { actor: options.actor, manager: options.tx },
    );
    return results.map(({ incident, events, result }) => ({
      incident: toIncidentView(incident.snapshot()),
      events: events.map((e) => toTimelineEntry(e)),
      result,
    }));
  }

  /**
   * Takes the incident's row lock inside the caller's transaction, so that what the caller reads
   * next (its own rows about the incident) cannot change under a concurrent command.
   */
  async lock(incidentId: string, tx: EntityManager): Promise<void> {
    await this.store.load(tx, incidentId, true);
  }

  /** Runs `decide` against the incident's aggregate and appends what it recorded. */
  async act<T>(
    incidentId: string,
    options: IncidentCommandOptions,
    decide: (incident: Incident, ctx: CommandContext) => T,
  ): Promise<IncidentCommandResult<T>> {
    const { incident, events, result } = await this.store.execute(
      incidentId,
      { actor: options.actor, expectedVersion: options.expectedVersion, manager: options.tx },
      decide,
    );
    return { incident: toIncidentView(incident.snapshot()), events: events.map((e) => toTimelineEntry(e)), result };
  }
}
