import type { MigrationInterface } from 'typeorm';
import { Platform1764160000000 } from './1764160000000-platform';
import { Incidents1764170000000 } from './1764170000000-incidents';
import { Alerts1764180000000 } from './1764180000000-alerts';
import { Postmortems1764200000000 } from './1764200000000-postmortems';
import { Notifications1764190000000 } from './1764190000000-notifications';

/**
 * Every migration, in order. Add new ones at the end; never edit one that has shipped.
 * Generate with `npm run migration:generate -- src/platform/database/migrations/<Name>`.
 */
export const migrations: Array<new () => MigrationInterface> = [
  Platform1764160000000,
  Incidents1764170000000,
  Alerts1764180000000,
  Notifications1764190000000,
  Postmortems1764200000000,
];
