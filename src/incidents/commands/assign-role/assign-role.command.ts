import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Role } from '../../domain';
import { IncidentView, toIncidentView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

/** Gives a role to a responder (replacing whoever held it). */
export class AssignRole extends Command<IncidentView> {
  constructor(
    readonly incidentId: string,
    readonly role: Role,
    readonly assignee: string,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(AssignRole)
export class AssignRoleHandler implements ICommandHandler<AssignRole> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, role, assignee, actor, expectedVersion }: AssignRole): Promise<IncidentView> {
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.assignRole(role, assignee, ctx),
    );
    return toIncidentView(incident.snapshot());
  }
}
