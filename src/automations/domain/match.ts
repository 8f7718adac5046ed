import type { AutomationMatch } from './automation';

/** What matching needs of a firing alert. */
export interface AlertFacts {
  service: string | null;
  severity: string;
  labels: Record<string, string>;
}

/** Every field the automation gives must hold; labels are exact values; an empty match matches nothing. */
export function matches(match: AutomationMatch, alert: AlertFacts): boolean {
  let named = false;
  if (match.services) {
    named = true;
    if (alert.service === null || !match.services.includes(alert.service)) return false;
  }
  if (match.alertnames) {
    named = true;
    const alertname = alert.labels.alertname;
    if (alertname === undefined || !match.alertnames.includes(alertname)) return false;
  }
  if (match.severities) {
    named = true;
    if (!match.severities.includes(alert.severity)) return false;
  }
  if (match.labels) {
    for (const [name, value] of Object.entries(match.labels)) {
      named = true;
      if (!Object.prototype.hasOwnProperty.call(alert.labels, name) || alert.labels[name] !== value) return false;
    }
  }
  return named;
}

/** One firing of one alert: a resend has the same key, a new firing (new startsAt) a new one. */
export function occurrenceKey(identity: string, startsAt: string): string {
  return `${identity}@${new Date(startsAt).toISOString()}`;
}
