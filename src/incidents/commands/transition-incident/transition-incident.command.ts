import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IncidentView, toIncidentView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

import { LIFECYCLE_MOVES } from '../../domain';
import type { LifecycleMove } from '../../domain';

export const TRANSITIONS = LIFECYCLE_MOVES;
export type Transition = LifecycleMove;

/** Acknowledge, mitigate, resolve or reopen: the lifecycle moves a responder makes. */
export class TransitionIncident extends Command<IncidentView> {
  constructor(
    readonly incidentId: string,
    readonly transition: Transition,
    readonly note: string | null,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(TransitionIncident)
export class TransitionIncidentHandler implements ICommandHandler<TransitionIncident> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, transition, note, actor, expectedVersion }: TransitionIncident): Promise<IncidentView> {
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) => {
      switch (transition) {
        case 'acknowledge':
          return incident.acknowledge(note, ctx);
        case 'mitigate':
          return incident.mitigate(note, ctx);
        case 'resolve':
          return incident.resolve(note, ctx);
        case 'reopen':
          return incident.reopen(note, null, ctx);
      }
    });
    return toIncidentView(incident.snapshot());
  }
}
