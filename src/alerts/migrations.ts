// The alerts module's migrations, for the composition root's list (src/migrations.ts).
export { Alerts1764180000000 } from './persistence/migrations/1764180000000-alerts';
export { MaintenanceWindows1764270000000 } from './persistence/migrations/1764270000000-maintenance-windows';
