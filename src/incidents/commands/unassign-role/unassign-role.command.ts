import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Role } from '../../domain';
import { IncidentView, toIncidentView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

/** Takes a role from whoever holds it; removing the commander hands command to the deputy. */
export class UnassignRole extends Command<IncidentView> {
  constructor(
    readonly incidentId: string,
    readonly role: Role,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(UnassignRole)
export class UnassignRoleHandler implements ICommandHandler<UnassignRole> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, role, actor, expectedVersion }: UnassignRole): Promise<IncidentView> {
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.unassignRole(role, ctx),
    );
    return toIncidentView(incident.snapshot());
  }
}
