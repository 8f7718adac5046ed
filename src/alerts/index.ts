/**
 * The alerts module's public surface: what other modules may ask about alerts (on the query
 * bus) and the alert's published shape. Never the alerts tables.
 */
export { AlertsModule } from './alerts.module';
export { GetIncidentAlerts } from './queries/get-incident-alerts.query';
export type { AttachedAlertView, IncidentAlertsMeta } from './queries/get-incident-alerts.query';
