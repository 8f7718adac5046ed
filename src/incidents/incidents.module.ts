import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { OUTBOX_RELAY } from '../platform/platform.module';
import type { OutboxRelay } from '../platform/messaging/outbox-relay';
import { AddActionItemHandler, UpdateActionItemHandler } from './commands/action-items';
import { AddNoteHandler } from './commands/add-note';
import { AssignRoleHandler } from './commands/assign-role';
import { DeclareIncidentHandler } from './commands/declare-incident';
import { TransitionIncidentHandler } from './commands/transition-incident';
import { UpdateIncidentHandler } from './commands/update-incident';
import { IncidentsController } from './http/incidents.controller';
import { IncidentStore } from './persistence/incident.store';
import { GetIncidentAlertsHandler, GetIncidentHandler, ListIncidentsHandler } from './queries/incident-queries';
import { ResponderDirectory, RespondersController } from './responders/responders';

@Module({
  controllers: [IncidentsController, RespondersController],
  providers: [
    IncidentStore,
    ResponderDirectory,
    DeclareIncidentHandler,
    UpdateIncidentHandler,
    TransitionIncidentHandler,
    AssignRoleHandler,
    AddNoteHandler,
    AddActionItemHandler,
    UpdateActionItemHandler,
    GetIncidentHandler,
    ListIncidentsHandler,
    GetIncidentAlertsHandler,
  ],
  exports: [IncidentStore, ResponderDirectory],
})
export class IncidentsModule implements OnModuleInit {
  constructor(
    private readonly store: IncidentStore,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  /** A commit wakes this instance's relay at once; other instances hear pg_notify. */
  onModuleInit(): void {
    this.store.onCommitted(() => this.relay.notify());
  }
}
