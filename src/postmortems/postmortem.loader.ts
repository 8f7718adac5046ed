import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import type { Severity } from '../incidents/domain';
import { IncidentNotFound } from '../incidents';
import { isUuid } from '../platform/http/uuid';
import {
  AlertRecord,
  buildDraft,
  CHANGE_LOOKBACK_MS,
  ChangeRecord,
  DraftInput,
  EventRecord,
  lifecycleTimes,
  SavedSection,
} from './build-draft';
import type { PostmortemDraft } from './postmortem-draft';

interface AlertRow {
  id: string;
  source: string;
  identity: string;
  summary: string;
  description: string | null;
  severity: Severity;
  status: 'firing' | 'resolved';
  service: string | null;
  runbook_url: string | null;
  generator_url: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  first_seen_at: Date;
  resolved_at: Date | null;
}

/**
 * Reads an incident's record (its events, alerts, the changes around its start and the saved
 * sections) in one consistent snapshot, and hands it to the pure builder.
 */
@Injectable()
export class PostmortemLoader {
  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async draft(incidentId: string): Promise<PostmortemDraft> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    const record = await this.db.transaction('REPEATABLE READ', (tx) => this.record(tx, incidentId));
    return buildDraft({ ...record, generatedAt: new Date(), publicUrl: this.config.publicUrl });
  }

  async record(tx: EntityManager, incidentId: string): Promise<Omit<DraftInput, 'generatedAt' | 'publicUrl'>> {
    const events = (
      (await tx.query(
        `SELECT seq, type, actor, occurred_at, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
        [incidentId],
      )) as Array<{ seq: number; type: string; actor: string; occurred_at: Date; data: Record<string, unknown> }>
    ).map((r): EventRecord => ({
      seq: r.seq,
      type: r.type,
      actor: r.actor,
      occurredAt: new Date(r.occurred_at),
      data: r.data ?? {},
    }));
    if (events.length === 0) throw new IncidentNotFound(incidentId);

    const alerts = (
      (await tx.query(
        `SELECT id, source, identity, summary, description, severity, status, service, runbook_url, generator_url,
         labels, annotations, starts_at, ends_at, first_seen_at, resolved_at
       FROM alerts WHERE incident_id = $1 ORDER BY starts_at, first_seen_at, summary, identity`,
        [incidentId],
      )) as AlertRow[]
    ).map((r): AlertRecord => ({
      id: r.id,
      source: r.source,
      identity: r.identity,
      summary: r.summary,
      description: r.description,
      severity: r.severity,
      status: r.status,
      service: r.service,
      labels: r.labels ?? {},
      annotations: r.annotations ?? {},
      runbookUrl: r.runbook_url,
      generatorUrl: r.generator_url,
      startsAt: new Date(r.starts_at),
      endsAt: r.ends_at ? new Date(r.ends_at) : null,
      firstSeenAt: new Date(r.first_seen_at),
      resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    }));

    // The builder keeps the service's changes from the hour before the start and the correlated ones.
    const times = lifecycleTimes(
      events,
      alerts.map((a) => a.startsAt),
    );
    const service = typeof events[0].data.service === 'string' ? events[0].data.service : null;
    const correlated = events
      .filter((e) => e.type === 'change.correlated' && typeof e.data.changeId === 'string' && isUuid(e.data.changeId))
      .map((e) => e.data.changeId as string);
    const changes = (
      (await tx.query(
        `SELECT id, service, summary, source, occurred_at, details, links FROM changes
       WHERE (service = $1 AND occurred_at >= $2 AND occurred_at <= $3) OR id = ANY($4::uuid[])
       ORDER BY occurred_at, id`,
        [service, new Date(times.start.getTime() - CHANGE_LOOKBACK_MS), times.detectedAt, correlated],
      )) as Array<{
        id: string;
        service: string | null;
        summary: string;
        source: string | null;
        occurred_at: Date;
        details: Record<string, unknown>;
        links: unknown[];
      }>
    ).map((r): ChangeRecord => ({
      id: r.id,
      service: r.service,
      summary: r.summary,
      source: r.source,
      occurredAt: new Date(r.occurred_at),
      details: r.details ?? {},
      links: r.links ?? [],
    }));

    const sections = await this.sections(tx, incidentId);
    return { incidentId, events, alerts, changes, sections };
  }

  async sections(tx: EntityManager, incidentId: string): Promise<SavedSection[]> {
    const rows = (await tx.query(
      `SELECT name, body, version, updated_at, updated_by FROM postmortem_sections WHERE incident_id = $1`,
      [incidentId],
    )) as Array<{ name: string; body: string; version: number; updated_at: Date; updated_by: string }>;
    return rows.map((r) => ({
      name: r.name,
      body: r.body,
      version: r.version,
      updatedAt: new Date(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }
}
