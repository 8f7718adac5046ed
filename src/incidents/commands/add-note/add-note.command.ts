import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { TimelineEntry, toTimelineEntry } from '../../incident-views';
import { IncidentStore } from '../../persistence/incident.store';

export class AddNote extends Command<TimelineEntry> {
  constructor(
    readonly incidentId: string,
    readonly text: string,
    readonly pinned: boolean,
    readonly actor: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(AddNote)
export class AddNoteHandler implements ICommandHandler<AddNote> {
  constructor(private readonly store: IncidentStore) {}

  async execute({ incidentId, text, pinned, actor, expectedVersion }: AddNote): Promise<TimelineEntry> {
    const { events } = await this.store.execute(incidentId, { actor, expectedVersion }, (incident, ctx) =>
      incident.addNote(randomUUID(), text, pinned, ctx),
    );
    return toTimelineEntry(events[0]);
  }
}
