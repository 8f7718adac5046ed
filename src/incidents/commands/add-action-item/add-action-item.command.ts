import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { AddActionItemInput } from '../../domain';
import { ActionItemView, toActionItemView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

export class AddActionItem extends Command<ActionItemView> {
  constructor(
    readonly incidentId: string,
    readonly input: AddActionItemInput,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(AddActionItem)
export class AddActionItemHandler implements ICommandHandler<AddActionItem> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, input, actor, expectedVersion }: AddActionItem): Promise<ActionItemView> {
    const id = randomUUID();
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.addActionItem(id, input, ctx),
    );
    return toActionItemView(incidentId, incident.actionItem(id)!);
  }
}
