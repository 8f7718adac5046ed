/**
 * The paging module's public surface: the module, and `PagingCoverage` (does an escalation
 * policy page for this service? then v1's ACK_TIMEOUT hop stays quiet).
 */
export { PagingModule } from './paging.module';
export { PagingCoverage } from './paging-coverage';
export { PagingEventsConsumer } from './paging-events.consumer';
