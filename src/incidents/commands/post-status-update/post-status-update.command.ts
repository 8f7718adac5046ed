import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { TimelineEntry, toTimelineEntry } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

/** A stakeholder status update: recorded on the timeline; follow-through sends it out. */
export class PostStatusUpdate extends Command<TimelineEntry> {
  constructor(
    readonly incidentId: string,
    readonly text: string,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(PostStatusUpdate)
export class PostStatusUpdateHandler implements ICommandHandler<PostStatusUpdate> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, text, actor, expectedVersion }: PostStatusUpdate): Promise<TimelineEntry> {
    const { events } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.postStatusUpdate(text, ctx),
    );
    return toTimelineEntry(events[0]);
  }
}
