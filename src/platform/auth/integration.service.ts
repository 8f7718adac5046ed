import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError } from '../http/app-error';
import { IntegrationTypes } from './integration-types';
import { hashSecret, newIntegrationKey, newSigningSecret } from './secrets';
import { TtlCache } from './ttl-cache';

export interface Integration {
  id: string;
  /** One of the types registered with IntegrationTypes. */
  type: string;
  name: string;
  service: string | null;
  createdAt: string;
}

/** An integration as the ingestion path needs it: with its signing secret where it has one. */
export interface IntegrationCredentials extends Integration {
  signingSecret: string | null;
}

interface IntegrationRow {
  id: string;
  type: string;
  name: string;
  service: string | null;
  signing_secret: string | null;
  created_at: Date;
}

const CACHE_TTL_MS = 5000;
const COLUMNS = 'id, type, name, service, signing_secret, created_at';

/**
 * Alert sources' credentials: each integration has a key (stored hashed) and, where its type
 * signs deliveries, a signing secret. The types come from IntegrationTypes.
 */
@Injectable()
export class IntegrationService {
  private readonly byKey = new TtlCache<IntegrationCredentials | null>(CACHE_TTL_MS);
  private readonly byId = new TtlCache<IntegrationCredentials | null>(CACHE_TTL_MS);

  constructor(
    private readonly db: DataSource,
    private readonly types: IntegrationTypes,
  ) {}

  async create(input: { type: string; name: string; service?: string | null }) {
    const spec = this.types.get(input.type);
    if (!spec) {
      const problem = `type must be one of the following values: ${this.types.names().join(', ')}`;
      throw new AppError('invalid', 'VALIDATION_FAILED', `type: ${problem}`, [{ path: 'type', problem }]);
    }
    const key = newIntegrationKey();
    // HMAC verification needs the secret itself, so it cannot be stored hashed.
    const secret = spec.signingSecret ? newSigningSecret() : null;
    const [row] = (await this.db.query(
      `INSERT INTO integrations (id, type, name, service, key_hash, signing_secret)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [randomUUID(), input.type, input.name, input.service ?? null, hashSecret(key), secret],
    )) as IntegrationRow[];
    return { ...publicView(row), key, ...(secret ? { secret } : {}) };
  }

  async list(): Promise<Integration[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM integrations ORDER BY created_at, id`,
    )) as IntegrationRow[];
    return rows.map(publicView);
  }

  async remove(id: string): Promise<void> {
    const [, count] = (await this.db.query(`DELETE FROM integrations WHERE id = $1`, [id])) as [unknown, number];
    if (!count) throw new AppError('not_found', 'INTEGRATION_NOT_FOUND', `No integration with id ${id}`);
    this.byKey.clear();
    this.byId.clear();
  }

  /** The integration whose key this is, or null. */
  async findByKey(key: string): Promise<IntegrationCredentials | null> {
    if (!key || key.length > 256) return null;
    const hash = hashSecret(key);
    const cacheKey = hash.toString('hex');
    const cached = this.byKey.get(cacheKey);
    if (cached !== undefined) return cached;
    const rows = (await this.db.query(`SELECT ${COLUMNS} FROM integrations WHERE key_hash = $1`, [
      hash,
    ])) as IntegrationRow[];
    const found = rows[0] ? credentials(rows[0]) : null;
    this.byKey.set(cacheKey, found);
    return found;
  }

  async findById(id: string): Promise<IntegrationCredentials | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const rows = (await this.db.query(`SELECT ${COLUMNS} FROM integrations WHERE id = $1`, [id])) as IntegrationRow[];
    const found = rows[0] ? credentials(rows[0]) : null;
    this.byId.set(id, found);
    return found;
  }
}

function publicView(row: IntegrationRow): Integration {
  return { id: row.id, type: row.type, name: row.name, service: row.service, createdAt: row.created_at.toISOString() };
}

function credentials(row: IntegrationRow): IntegrationCredentials {
  return { ...publicView(row), signingSecret: row.signing_secret };
}
