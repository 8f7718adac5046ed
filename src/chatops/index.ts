/**
 * The chatops module's public surface: the Nest module for the composition root, and what the
 * announcement builders need to put buttons Slack clicks come back to.
 */
export { ChatopsModule } from './chatops.module';
export { ChatEventsConsumer } from './chat-events.consumer';
export { INCIDENT_ACTIONS } from './interaction.handler';
