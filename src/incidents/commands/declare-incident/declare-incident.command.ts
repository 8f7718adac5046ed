import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Severity } from '../../domain';
import { IncidentView, toIncidentView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

export class DeclareIncident extends Command<IncidentView> {
  constructor(
    readonly input: { title: string; severity: Severity; summary?: string | null; service?: string | null; commander?: string | null },
    readonly actor: string,
  ) {
    super();
  }
}

@CommandHandler(DeclareIncident)
export class DeclareIncidentHandler implements ICommandHandler<DeclareIncident> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ input, actor }: DeclareIncident): Promise<IncidentView> {
    const { incident } = await this.store.declare({ ...input, source: 'manual', groupKey: null }, { actor });
    return toIncidentView(incident.snapshot());
  }
}
