import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { UpdateActionItemInput } from '../../domain';
import { ActionItemView, toActionItemView } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

export class UpdateActionItem extends Command<ActionItemView> {
  constructor(
    readonly incidentId: string,
    readonly actionItemId: string,
    readonly changes: UpdateActionItemInput,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(UpdateActionItem)
export class UpdateActionItemHandler implements ICommandHandler<UpdateActionItem> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, actionItemId, changes, actor, expectedVersion }: UpdateActionItem): Promise<ActionItemView> {
    const { incident } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.updateActionItem(actionItemId, changes, ctx),
    );
    return toActionItemView(incidentId, incident.actionItem(actionItemId)!);
  }
}
