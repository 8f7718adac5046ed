/**
 * The incidents module's public surface. Other modules import from here only: the command
 * port, the views, the responders directory and the domain's types. Never `persistence/`.
 */
export { IncidentsModule } from './incidents.module';
export { IncidentCommands } from './incident-commands';
export { IncidentLookups } from './incident-lookups';
export type { DeclareInput, IncidentCommandOptions, IncidentCommandResult } from './incident-commands';
export { IncidentNotFound } from './incident-not-found';
export type { IncidentView, TimelineEntry, ActionItemView } from './incident-views';
export { toIncidentView, toTimelineEntry } from './incident-views';
export { IncidentTimeline, MAX_SEQ } from './incident-timeline';
// The incidents' outbox, for the composition root to hand to the platform's relay.
export { IncidentOutbox } from './persistence/incident-outbox';
export { ResponderDirectory } from './responders/responders';
export type { Responder } from './responders/responders';
export * from './domain';
// The use cases on the command bus (the REST API, Slack and automation all send these).
export { DeclareIncident } from './commands/declare-incident/declare-incident.command';
export { UpdateIncident } from './commands/update-incident/update-incident.command';
export { TransitionIncident, TRANSITIONS } from './commands/transition-incident/transition-incident.command';
export type { Transition } from './commands/transition-incident/transition-incident.command';
export { AssignRole } from './commands/assign-role/assign-role.command';
export { UnassignRole } from './commands/unassign-role/unassign-role.command';
export { AddNote } from './commands/add-note/add-note.command';
export { PostStatusUpdate } from './commands/post-status-update/post-status-update.command';
export { AddActionItem } from './commands/add-action-item/add-action-item.command';
export { UpdateActionItem } from './commands/update-action-item/update-action-item.command';
export { GetIncident, GetIncidentByNumber, GetIncidents, ListIncidents } from './queries/incident-queries';
// The published event contract (the message on the incident-events topic) and the one describer.
export * from './events';
