import { Inject } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../platform/http/keyset-cursor';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { isWorse, Severity } from '../incidents/domain';
import { lifecycleTimes, secondsBetween } from './build-draft';
import { PostmortemLoader } from './postmortem.loader';
import type { PostmortemDraft } from './postmortem-draft';

export class GetPostmortem extends Query<PostmortemDraft> {
  constructor(readonly incidentId: string) {
    super();
  }
}

@QueryHandler(GetPostmortem)
export class GetPostmortemHandler implements IQueryHandler<GetPostmortem> {
  constructor(private readonly loader: PostmortemLoader) {}

  execute({ incidentId }: GetPostmortem): Promise<PostmortemDraft> {
    return this.loader.draft(incidentId);
  }
}

/** One line of the review meeting's list: the figures of one incident's postmortem. */
export interface PostmortemSummary {
  incidentId: string;
  number: number;
  title: string;
  severity: Severity;
  worstSeverity: Severity;
  service: string | null;
  status: string;
  startedAt: string;
  declaredAt: string;
  resolvedAt: string | null;
  durationSeconds: number | null;
  timeToAcknowledgeSeconds: number | null;
  timeToMitigateSeconds: number | null;
  timeToResolveSeconds: number | null;
  actionItems: { open: number; done: number };
  /** Saves of the postmortem's sections so far (0: nobody wrote anything yet). */
  postmortemVersion: number;
  url: string;
}

export interface PostmortemFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  service?: string;
  limit: number;
  cursor?: string;
}

export class ListPostmortems extends Query<{ items: PostmortemSummary[]; nextCursor: string | null }> {
  constructor(readonly filter: PostmortemFilter) {
    super();
  }
}

const LIFECYCLE = [
  'incident.declared',
  'incident.severity_changed',
  'incident.acknowledged',
  'incident.mitigated',
  'incident.resolved',
  'incident.reopened',
];

/**
 * Postmortems of the incidents declared in [from, to), newest first, with the same metrics
 * the drafts compute (the same lifecycle function over the same events).
 */
@QueryHandler(ListPostmortems)
export class ListPostmortemsHandler implements IQueryHandler<ListPostmortems> {
  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ filter }: ListPostmortems) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.from !== undefined) {
      params.push(new Date(filter.from));
      where.push(`created_at >= $${params.length}`);
    }
    if (filter.to !== undefined) {
      params.push(new Date(filter.to));
      where.push(`created_at < $${params.length}`);
    }
    if (filter.service) {
      params.push(filter.service);
      where.push(`service = $${params.length}`);
    }
    if (filter.cursor) {
      const { createdAt, id } = decodeCursor(filter.cursor);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const incidents = (await tx.query(
        `SELECT id, number, title, severity, service, status, created_at FROM incidents
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      )) as Array<{
        id: string;
        number: number;
        title: string;
        severity: Severity;
        service: string | null;
        status: string;
        created_at: Date;
      }>;
      const page = incidents.slice(0, filter.limit);
      const ids = page.map((i) => i.id);
      // One connection serves the transaction: the reads go one after another.
      const events = (await tx.query(
        `SELECT incident_id, type, occurred_at, data->>'severity' AS declared, data->>'to' AS changed_to
         FROM incident_events WHERE incident_id = ANY($1::uuid[]) AND type = ANY($2::text[]) ORDER BY incident_id, seq`,
        [ids, LIFECYCLE],
      )) as Array<{
        incident_id: string;
        type: string;
        occurred_at: Date;
        declared: Severity | null;
        changed_to: Severity | null;
      }>;
      const alertStarts = (await tx.query(
        `SELECT incident_id, min(starts_at) AS first FROM alerts WHERE incident_id = ANY($1::uuid[]) GROUP BY incident_id`,
        [ids],
      )) as Array<{ incident_id: string; first: Date }>;
      const items = (await tx.query(
        `SELECT incident_id, count(*) FILTER (WHERE status = 'open')::int AS open, count(*) FILTER (WHERE status = 'done')::int AS done
         FROM action_items WHERE incident_id = ANY($1::uuid[]) GROUP BY incident_id`,
        [ids],
      )) as Array<{ incident_id: string; open: number; done: number }>;
      const versions = (await tx.query(
        `SELECT incident_id, max(version)::int AS version FROM postmortem_sections WHERE incident_id = ANY($1::uuid[]) GROUP BY incident_id`,
        [ids],
      )) as Array<{ incident_id: string; version: number }>;
      const eventsOf = new Map<string, typeof events>();
      for (const e of events) {
        const list = eventsOf.get(e.incident_id);
        if (list) list.push(e);
        else eventsOf.set(e.incident_id, [e]);
      }
      const firstAlert = new Map(alertStarts.map((a) => [a.incident_id, new Date(a.first)]));
      const itemsOf = new Map(items.map((i) => [i.incident_id, { open: i.open, done: i.done }]));
      const versionOf = new Map(versions.map((v) => [v.incident_id, v.version]));
      const base = this.config.publicUrl.replace(/\/+$/, '');

      const summaries = page.map((incident): PostmortemSummary => {
        const own = (eventsOf.get(incident.id) ?? []).map((e) => ({ ...e, occurredAt: new Date(e.occurred_at) }));
        const declaredAt = new Date(incident.created_at);
        const times = lifecycleTimes(
          own.length ? own : [{ type: 'incident.declared', occurredAt: declaredAt }],
          firstAlert.has(incident.id) ? [firstAlert.get(incident.id) as Date] : [],
        );
        let worstSeverity = incident.severity;
        for (const e of own) {
          const severity =
            e.type === 'incident.declared' ? e.declared : e.type === 'incident.severity_changed' ? e.changed_to : null;
          if (severity && isWorse(severity, worstSeverity)) worstSeverity = severity;
        }
        return {
          incidentId: incident.id,
          number: incident.number,
          title: incident.title,
          severity: incident.severity,
          worstSeverity,
          service: incident.service,
          status: incident.status,
          startedAt: times.start.toISOString(),
          declaredAt: times.detectedAt.toISOString(),
          resolvedAt: times.resolvedAt ? times.resolvedAt.toISOString() : null,
          durationSeconds: secondsBetween(times.start, times.resolvedAt),
          timeToAcknowledgeSeconds: secondsBetween(times.start, times.acknowledgedAt),
          timeToMitigateSeconds: secondsBetween(times.start, times.mitigatedAt),
          timeToResolveSeconds: secondsBetween(times.start, times.resolvedAt),
          actionItems: itemsOf.get(incident.id) ?? { open: 0, done: 0 },
          postmortemVersion: versionOf.get(incident.id) ?? 0,
          url: `${base}/api/v1/incidents/${incident.id}/postmortem`,
        };
      });
      const last = page[page.length - 1];
      const nextCursor =
        incidents.length > filter.limit && last
          ? encodeCursor({ createdAt: new Date(last.created_at).toISOString(), id: last.id })
          : null;
      return { items: summaries, nextCursor };
    });
  }
}
