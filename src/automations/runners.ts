import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashSecret, newApiToken } from '../platform/auth/secrets';
import { AppError } from '../platform/http/app-error';
import { isUuid } from '../platform/http/uuid';
import { invalid } from './automations';

export interface RunnerView {
  id: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
}

const NAME = /^[^\p{Cc}]{1,100}$/u;
const storable = (s: string) =>
  !s.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Runners: admin-created; the token is shown once and stored as its SHA-256. */
@Injectable()
export class Runners {
  constructor(private readonly db: DataSource) {}

  async create(body: unknown): Promise<{ id: string; name: string; token: string }> {
    const name = (body as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !NAME.test(name.trim()) || !storable(name))
      throw invalid([{ path: 'name', problem: 'must be text of 1 to 100 characters' }]);
    const token = newApiToken();
    const id = randomUUID();
    await this.db.query(`INSERT INTO automation_runners (id, name, token_hash) VALUES ($1, $2, $3)`, [
      id,
      name.trim(),
      hashSecret(token),
    ]);
    return { id, name: name.trim(), token };
  }

  async list(): Promise<RunnerView[]> {
    const rows = (await this.db.query(
      `SELECT id, name, created_at, last_seen_at FROM automation_runners WHERE revoked_at IS NULL ORDER BY name, id`,
    )) as Array<{ id: string; name: string; created_at: Date; last_seen_at: Date | null }>;
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at.toISOString(),
      lastSeenAt: r.last_seen_at ? r.last_seen_at.toISOString() : null,
    }));
  }

  /**
   * Revokes a runner: its token stops working at once. A run it holds fails when its lease
   * lapses (heartbeats and results are refused), and is not run again.
   */
  async revoke(id: string): Promise<void> {
    const rows = isUuid(id)
      ? rowsOfUpdate(
          await this.db.query(
            `UPDATE automation_runners SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id, name`,
            [id],
          ),
        )
      : [];
    if (!rows[0]) throw new AppError('not_found', 'RUNNER_NOT_FOUND', `No runner ${id.slice(0, 60)}`);
  }

  /** The runner a bearer token belongs to; looked up by its hash (no secret comparison in code). */
  async authenticate(token: string | null): Promise<{ id: string; name: string }> {
    if (!token) throw new AppError('unauthorized', 'AUTH_REQUIRED', 'Send Authorization: Bearer <runner token>');
    const rows = rowsOfUpdate(
      await this.db.query(
        `UPDATE automation_runners SET last_seen_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, name`,
        [hashSecret(token)],
      ),
    );
    if (!rows[0]) throw new AppError('unauthorized', 'AUTH_INVALID', 'The runner token is not valid');
    return rows[0];
  }
}

function rowsOfUpdate(result: unknown): Array<{ id: string; name: string }> {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Array<{
    id: string;
    name: string;
  }>;
}
