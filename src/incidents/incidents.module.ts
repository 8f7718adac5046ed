import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { OUTBOX_RELAY, type OutboxRelay } from '../platform/messaging/outbox-relay';
import { AddActionItemHandler } from './commands/add-action-item/add-action-item.command';
import { UpdateActionItemHandler } from './commands/update-action-item/update-action-item.command';
import { AddNoteHandler } from './commands/add-note/add-note.command';
import { PostStatusUpdateHandler } from './commands/post-status-update/post-status-update.command';
import { AssignRoleHandler } from './commands/assign-role/assign-role.command';
import { UnassignRoleHandler } from './commands/unassign-role/unassign-role.command';
import { DeclareIncidentHandler } from './commands/declare-incident/declare-incident.command';
import { TransitionIncidentHandler } from './commands/transition-incident/transition-incident.command';
import { UpdateIncidentHandler } from './commands/update-incident/update-incident.command';
import { IncidentsController } from './http/incidents.controller';
import { IncidentCommands } from './incident-commands';
import { IncidentEventStream } from './events/incident-event.consumer';
import { IncidentLookups } from './incident-lookups';
import { IncidentTimeline } from './incident-timeline';
import { IncidentStore } from './persistence/incident.store';
import {
  GetIncidentByNumberHandler,
  GetIncidentHandler,
  GetIncidentsHandler,
  ListIncidentsHandler,
} from './queries/incident-queries';
import { ResponderDirectory, RespondersController } from './responders/responders';

@Module({
  controllers: [IncidentsController, RespondersController],
  providers: [
    IncidentStore,
    IncidentCommands,
    IncidentEventStream,
    IncidentLookups,
    IncidentTimeline,
    ResponderDirectory,
    DeclareIncidentHandler,
    UpdateIncidentHandler,
    TransitionIncidentHandler,
    AssignRoleHandler,
    UnassignRoleHandler,
    AddNoteHandler,
    PostStatusUpdateHandler,
    AddActionItemHandler,
    UpdateActionItemHandler,
    GetIncidentHandler,
    GetIncidentsHandler,
    GetIncidentByNumberHandler,
    ListIncidentsHandler,
  ],
  exports: [IncidentCommands, IncidentLookups, IncidentTimeline, IncidentEventStream, ResponderDirectory],
})
export class IncidentsModule implements OnModuleInit {
  constructor(
    private readonly store: IncidentStore,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  /** A commit wakes this instance's relay at once; the leader elsewhere hears pg_notify. */
  onModuleInit(): void {
    this.store.onCommitted(() => this.relay.notify());
    this.store.wakeOthersWhen(() => !this.relay.isLeader);
  }
}
