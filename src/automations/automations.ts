import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError, invalidFields } from '../platform/http/app-error';
import { isUuid } from '../platform/http/uuid';
import { AutomationDefinition, checkAutomation } from './domain';
import { AUTOMATION_COLUMNS, AutomationRow, rowsOf } from './persistence/automation-rows';

export interface AutomationView extends AutomationDefinition {
  id: string;
  version: number;
  /** Runs that failed in a row since the last success: an automation that keeps failing shows here. */
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
}

export const invalid = invalidFields;

export function toAutomationView(row: Omit<AutomationRow, 'signing_secret'>): AutomationView {
  return {
    id: row.id,
    name: row.name,
    match: row.match,
    action: row.action,
    mode: row.mode,
    guards: row.guards,
    verify: row.verify,
    enabled: row.enabled,
    version: row.version,
    consecutiveFailures: row.consecutive_failures,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function parse(body: unknown): AutomationDefinition {
  const checked = checkAutomation(body);
  if ('problems' in checked) throw invalid(checked.problems);
  return checked.automation;
}

const notFound = (id: string) => new AppError('not_found', 'AUTOMATION_NOT_FOUND', `No automation ${id.slice(0, 60)}`);

function nameTaken(error: unknown, name: string): never {
  if ((error as { code?: string }).code === '23505')
    throw new AppError('conflict', 'AUTOMATION_NAME_TAKEN', `An automation named "${name}" exists`, [
      { path: 'name', problem: 'is taken' },
    ]);
  throw error;
}

/** Automations: admins write them, viewers read them; the signing secret leaves only in the 201. */
@Injectable()
export class Automations {
  constructor(private readonly db: DataSource) {}

  async create(body: unknown): Promise<AutomationView & { secret: string }> {
    const a = parse(body);
    // 256 random bits; kept as is because every webhook is signed with it.
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    try {
      const [row] = (await this.db.query(
        `INSERT INTO automations (id, name, match, action, mode, guards, verify, enabled, signing_secret)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${AUTOMATION_COLUMNS}`,
        [randomUUID(), a.name, a.match, a.action, a.mode, a.guards, a.verify, a.enabled, secret],
      )) as AutomationRow[];
      return { ...toAutomationView(row), secret };
    } catch (error) {
      nameTaken(error, a.name);
    }
  }

  async list(): Promise<AutomationView[]> {
    const rows = (await this.db.query(
      `SELECT ${AUTOMATION_COLUMNS} FROM automations WHERE deleted_at IS NULL ORDER BY lower(name), id`,
    )) as AutomationRow[];
    return rows.map(toAutomationView);
  }

  async get(id: string): Promise<AutomationView> {
    if (!isUuid(id)) throw notFound(id);
    const [row] = (await this.db.query(
      `SELECT ${AUTOMATION_COLUMNS} FROM automations WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    )) as AutomationRow[];
    if (!row) throw notFound(id);
    return toAutomationView(row);
  }

  async replace(id: string, body: unknown, expectedVersion: number | undefined): Promise<AutomationView> {
    const a = parse(body);
    const current = await this.get(id);
    try {
      const rows = rowsOf<AutomationRow>(
        await this.db.query(
          `UPDATE automations SET name = $2, match = $3, action = $4, mode = $5, guards = $6, verify = $7, enabled = $8,
             version = version + 1, updated_at = now()
           WHERE id = $1 AND deleted_at IS NULL AND ($9::int IS NULL OR version = $9) RETURNING ${AUTOMATION_COLUMNS}`,
          [id, a.name, a.match, a.action, a.mode, a.guards, a.verify, a.enabled, expectedVersion ?? null],
        ),
      );
      if (!rows[0]) throw versionMismatch(current.version);
      return toAutomationView(rows[0]);
    } catch (error) {
      if (error instanceof AppError) throw error;
      nameTaken(error, a.name);
    }
  }

  /** Kept as a tombstone: its runs and timeline entries still name it. */
  async delete(id: string, expectedVersion: number | undefined): Promise<void> {
    const current = await this.get(id);
    const rows = rowsOf<{ id: string }>(
      await this.db.query(
        `UPDATE automations SET deleted_at = now(), enabled = false, version = version + 1
         WHERE id = $1 AND deleted_at IS NULL AND ($2::int IS NULL OR version = $2) RETURNING id`,
        [id, expectedVersion ?? null],
      ),
    );
    if (!rows[0]) throw versionMismatch(current.version);
  }
}

function versionMismatch(current: number): AppError {
  return new AppError('precondition_failed', 'VERSION_MISMATCH', `The automation is at version ${current}`);
}
