/**
 * The automations module's public surface. Paging asks `PageHolds` whether a declared
 * incident's page waits for an automation's verdict.
 */
export { AutomationsModule } from './automations.module';
export { PageHolds } from './page-holds';
export type { HoldVerdict } from './page-holds';
export { AutomationEventsConsumer } from './automation-events.consumer';
