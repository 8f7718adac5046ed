import type { MigrationInterface } from 'typeorm';
import {
  Incidents1764170000000,
  IncidentChatAndUpdates1764240000000,
  IncidentAwaitingVerification1764240000001,
  ResponderContactMethods1764250000000,
} from './incidents/migrations';
import { Platform1764160000000 } from './platform/database/migrations/1764160000000-platform';
import { Alerts1764180000000 } from './alerts/persistence/migrations/1764180000000-alerts';
import { Notifications1764190000000 } from './notifications/persistence/migrations/1764190000000-notifications';
import { Postmortems1764200000000 } from './postmortems/persistence/migrations/1764200000000-postmortems';
import { Timers1764210000000 } from './platform/database/migrations/1764210000000-timers';
import { MessageJobs1764210000001 } from './notifications/persistence/migrations/1764210000001-message-jobs';
import { Chatops1764230000000 } from './chatops/persistence/migrations/1764230000000-chatops';
import { OnCall1764220000000 } from './oncall/persistence/migrations/1764220000000-oncall';
import { Paging1764250000001 } from './paging/persistence/migrations/1764250000001-paging';
import { Followups1764260000000 } from './followups/persistence/migrations/1764260000000-followups';
import { MaintenanceWindows1764270000000 } from './alerts/persistence/migrations/1764270000000-maintenance-windows';
import { Automations1764280000000 } from './automations/persistence/migrations/1764280000000-automations';

/**
 * Every migration of every module, in timestamp order (the composition root knows them all;
 * platform knows none). Each module keeps its own under `<module>/persistence/migrations/`.
 * Add new ones at the end; never edit one that has shipped.
 */
export const migrations: Array<new () => MigrationInterface> = [
  Platform1764160000000,
  Incidents1764170000000,
  Alerts1764180000000,
  Notifications1764190000000,
  Postmortems1764200000000,
  Timers1764210000000,
  MessageJobs1764210000001,
  OnCall1764220000000,
  Chatops1764230000000,
  IncidentChatAndUpdates1764240000000,
  IncidentAwaitingVerification1764240000001,
  ResponderContactMethods1764250000000,
  Paging1764250000001,
  Followups1764260000000,
  MaintenanceWindows1764270000000,
  Automations1764280000000,
];
