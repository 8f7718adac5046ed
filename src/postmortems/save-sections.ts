import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { IncidentCommands, IncidentNotFound } from '../incidents';
import { isUuid } from '../platform/http/uuid';
import { AppError } from '../platform/http/app-error';
import { PostmortemLoader } from './postmortem.loader';
import { PostmortemDraft, SECTION_NAMES, SectionName } from './postmortem-draft';

/** Section edits: a string replaces the text, null or blank clears the section. */
export type SectionEdits = Partial<Record<SectionName, string | null>>;

export class SavePostmortemSections extends Command<PostmortemDraft> {
  constructor(
    readonly incidentId: string,
    readonly edits: SectionEdits,
    readonly actor: string,
    /** The postmortem version the editor saw (If-Match); another current version is a 412. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/** The sections whose text changes (blank and null both mean empty). */
export function changedSections(edits: SectionEdits, saved: ReadonlyMap<string, string>): Array<[SectionName, string]> {
  const out: Array<[SectionName, string]> = [];
  for (const name of SECTION_NAMES) {
    const value = edits[name];
    if (value === undefined) continue;
    const body = value === null || value.trim() === '' ? '' : value.replace(/\r\n?/g, '\n');
    if (body !== (saved.get(name) ?? '')) out.push([name, body]);
  }
  return out;
}

/**
 * Saves section edits and records `postmortem.updated` on the timeline, in one transaction that
 * holds the incident's row lock (so saves of one postmortem serialise with each other and with
 * the incident's commands). Saving what is already there changes nothing and records nothing.
 */
@CommandHandler(SavePostmortemSections)
export class SavePostmortemSectionsHandler implements ICommandHandler<SavePostmortemSections> {
  constructor(
    private readonly db: DataSource,
    private readonly incidents: IncidentCommands,
    private readonly loader: PostmortemLoader,
  ) {}

  async execute({ incidentId, edits, actor, expectedVersion }: SavePostmortemSections): Promise<PostmortemDraft> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    await this.db.transaction(async (tx) => {
      await this.incidents.lock(incidentId, tx);
      const saved = await this.loader.sections(tx, incidentId);
      const current = saved.reduce((max, s) => Math.max(max, s.version), 0);
      if (expectedVersion !== undefined && expectedVersion !== current) {
        throw new AppError(
          'precondition_failed',
          'POSTMORTEM_VERSION_MISMATCH',
          `If-Match names postmortem version ${expectedVersion} but the postmortem is at version ${current}`,
        );
      }
      const changed = changedSections(edits, new Map(saved.map((s) => [s.name, s.body])));
      if (changed.length === 0) return;
      const { events } = await this.incidents.act(incidentId, { actor, tx }, (incident, ctx) =>
        incident.recordPostmortemUpdate(
          changed.map(([name]) => name),
          ctx,
        ),
      );
      const at = events[0] ? new Date(events[0].occurredAt) : new Date();
      await tx.query(
        `INSERT INTO postmortem_sections (incident_id, name, body, version, updated_at, updated_by)
         SELECT $1::uuid, name, body, $4, $5, $6 FROM unnest($2::text[], $3::text[]) AS s(name, body)
         ON CONFLICT (incident_id, name) DO UPDATE SET body = EXCLUDED.body, version = EXCLUDED.version,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
        [incidentId, changed.map(([name]) => name), changed.map(([, body]) => body), current + 1, at, actor],
      );
    });
    return this.loader.draft(incidentId);
  }
}
