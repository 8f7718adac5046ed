import type { MigrationInterface } from 'typeorm';
import { Alerts1764180000000, MaintenanceWindows1764270000000 } from './alerts/migrations';
import { Notifications1764190000000, MessageJobs1764210000001 } from './notifications/migrations';
import { Postmortems1764200000000 } from './postmortems/migrations';
import { Chatops1764230000000 } from './chatops/migrations';
import { OnCall1764220000000 } from './oncall/migrations';
import { Paging1764250000001 } from './paging/migrations';
import { Followups1764260000000 } from './followups/migrations';
import { Automations1764280000000 } from './automations/migrations';
import {
  Incidents1764170000000,
  IncidentChatAndUpdates1764240000000,
  IncidentAwaitingVerification1764240000001,
  ResponderContactMethods1764250000000,
  IncidentNumberLimit1764290000000,
} from './incidents/migrations';
import { Platform1764160000000 } from './platform/database/migrations/1764160000000-platform';
import { Timers1764210000000 } from './platform/database/migrations/1764210000000-timers';

/**
 * Every migration of every module, in timestamp order (the composition root knows them all;
 * platform knows none). Each module keeps its own under `<module>/persistence/migrations/` and
 * exports them from `<module>/migrations.ts`.
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
  IncidentNumberLimit1764290000000,
];
