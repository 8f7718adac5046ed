import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GetIncident } from '../../incidents';

export interface AttachedAlertView {
  alertId: string;
  source: string;
  identity: string;
  summary: string | null;
  description: string | null;
  severity: string;
  status: 'firing' | 'resolved';
  service: string | null;
  runbookUrl: string | null;
  generatorUrl: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  links: unknown[];
  startsAt: string;
  endsAt: string | null;
  attachedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

export interface IncidentAlertsMeta {
  /** Alerts of the group Alertmanager left out of its latest notification (max_alerts). */
  truncatedAlerts: number;
}

export class GetIncidentAlerts extends Query<{ items: AttachedAlertView[]; meta?: IncidentAlertsMeta }> {
  constructor(readonly incidentId: string) {
    super();
  }
}

interface AlertRow {
  id: string;
  source: string;
  identity: string;
  summary: string;
  description: string | null;
  severity: string;
  status: 'firing' | 'resolved';
  service: string | null;
  runbook_url: string | null;
  generator_url: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  links: unknown[];
  starts_at: Date;
  ends_at: Date | null;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  truncated_alerts: number | null;
}

/**
 * The alerts attached to an incident, from the alerts table (labels, annotations, runbook…),
 * in the order they were attached. `meta.truncatedAlerts` is present when Alertmanager's latest
 * notification of the incident's alerts left some out.
 */
@QueryHandler(GetIncidentAlerts)
export class GetIncidentAlertsHandler implements IQueryHandler<GetIncidentAlerts> {
  constructor(
    private readonly db: DataSource,
    private readonly queries: QueryBus,
  ) {}

  async execute({ incidentId }: GetIncidentAlerts) {
    // The incident must exist (404 otherwise), asked of its owner rather than its table.
    await this.queries.execute(new GetIncident(incidentId));
    const rows = (await this.db.query(
      `SELECT id, source, identity, summary, description, severity, status, service, runbook_url, generator_url,
         labels, annotations, links, starts_at, ends_at, first_seen_at, last_seen_at, resolved_at,
         CASE WHEN last_seen_at = max(last_seen_at) OVER () THEN (delivery->>'truncatedAlerts')::int END AS truncated_alerts
       FROM alerts WHERE incident_id = $1 ORDER BY first_seen_at, starts_at, identity, id`,
      [incidentId],
    )) as AlertRow[];
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const items: AttachedAlertView[] = rows.map((row) => ({
      alertId: row.id,
      source: row.source,
      identity: row.identity,
      summary: row.summary,
      description: row.description,
      severity: row.severity,
      status: row.status,
      service: row.service,
      runbookUrl: row.runbook_url,
      generatorUrl: row.generator_url,
      labels: row.labels,
      annotations: row.annotations,
      links: row.links,
      startsAt: row.starts_at.toISOString(),
      endsAt: iso(row.ends_at),
      attachedAt: row.first_seen_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
      resolvedAt: iso(row.resolved_at),
    }));
    const truncatedAlerts = Math.max(0, ...rows.map((r) => r.truncated_alerts ?? 0));
    return truncatedAlerts > 0 ? { items, meta: { truncatedAlerts } } : { items };
  }
}
