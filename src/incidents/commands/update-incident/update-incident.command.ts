import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Severity } from '../../domain';
import { IncidentView, toIncidentView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

export class UpdateIncident extends Command<IncidentView> {
  constructor(
    readonly incidentId: string,
    readonly changes: { title?: string; summary?: string | null; severity?: Severity },
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(UpdateIncident)
export class UpdateIncidentHandler implements ICommandHandler<UpdateIncident> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, changes, actor, expectedVersion }: UpdateIncident): Promise<IncidentView> {
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) => {
      const { severity, ...text } = changes;
      if (text.title !== undefined || text.summary !== undefined) incident.update(text, ctx);
      if (severity !== undefined) incident.changeSeverity(severity, null, ctx);
    });
    return toIncidentView(incident.snapshot());
  }
}
