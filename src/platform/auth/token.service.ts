import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AppError } from '../http/app-error';
import { APP_LOGGER, AppLogger } from '../observability/logger';
import { AccessRole, Principal } from './roles';
import { constantTimeEqual, hashSecret, newApiToken } from './secrets';
import { TtlCache } from './ttl-cache';

export interface TokenView {
  id: string;
  name: string;
  role: AccessRole;
  createdAt: string;
  lastUsedAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: AccessRole;
  created_at: Date;
  last_used_at: Date | null;
}

const GENERATED_ADMIN_NAME = 'admin';
/** How long a verified token is trusted without asking the database (revocation delay). */
const CACHE_TTL_MS = 5000;

@Injectable()
export class TokenService implements OnApplicationBootstrap {
  private readonly cache = new TtlCache<Principal | null>(CACHE_TTL_MS);
  private readonly adminTokenHash: Buffer | undefined;

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    this.adminTokenHash = config.adminToken ? hashSecret(config.adminToken) : undefined;
  }

  /** With no SITREP_ADMIN_TOKEN and no admin token stored yet, makes one and prints it once. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminToken) return;
    const token = newApiToken();
    const created = await this.db.transaction(async (tx) => {
      // Two instances starting on a fresh database must not both make one.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sitrep.admin-bootstrap'))`);
      const [{ exists }] = await tx.query(`SELECT EXISTS (SELECT 1 FROM api_tokens WHERE role = 'admin') AS exists`);
      if (exists) return false;
      await tx.query(`INSERT INTO api_tokens (id, name, role, token_hash) VALUES ($1, $2, 'admin', $3)`, [
        randomUUID(),
        GENERATED_ADMIN_NAME,
        hashSecret(token),
      ]);
      return true;
    });
    if (created) {
      // Printed once to the terminal, never to the structured log.
      process.stdout.write(
        `\n  Sitrep admin token (shown once, store it now):\n\n    ${token}\n\n  Use it as "Authorization: Bearer <token>"; set SITREP_ADMIN_TOKEN to choose your own.\n\n`,
      );
      this.logger.info('generated the first admin token (printed above, not logged)');
    }
  }

  async create(name: string, role: AccessRole): Promise<TokenView & { token: string }> {
    const token = newApiToken();
    const id = randomUUID();
    const [row] = (await this.db.query(
      `INSERT INTO api_tokens (id, name, role, token_hash) VALUES ($1, $2, $3, $4)
       RETURNING id, name, role, created_at, last_used_at`,
      [id, name, role, hashSecret(token)],
    )) as TokenRow[];
    return { ...view(row), token };
  }

  async list(): Promise<TokenView[]> {
    const rows = (await this.db.query(
      `SELECT id, name, role, created_at, last_used_at FROM api_tokens ORDER BY created_at, id`,
    )) as TokenRow[];
    return rows.map(view);
  }

  async remove(id: string): Promise<void> {
    const [, count] = (await this.db.query(`DELETE FROM api_tokens WHERE id = $1`, [id])) as [unknown, number];
    if (!count) throw new AppError('not_found', 'TOKEN_NOT_FOUND', `No token with id ${id}`);
    this.cache.clear();
  }

  /** Resolves a bearer token to its principal, or null. */
  async verify(token: string): Promise<Principal | null> {
    if (!token || token.length > 512) return null;
    const hash = hashSecret(token);
    if (this.adminTokenHash && constantTimeEqual(hash, this.adminTokenHash)) {
      return { tokenId: null, name: GENERATED_ADMIN_NAME, role: 'admin' };
    }
    const key = hash.toString('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    // The lookup is by hash, so no comparison of secrets happens in JavaScript.
    const rows = (await this.db.query(
      `UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 RETURNING id, name, role`,
      [hash],
    )) as [Array<{ id: string; name: string; role: AccessRole }>, number];
    const row = rows[0]?.[0];
    const principal = row ? { tokenId: row.id, name: row.name, role: row.role } : null;
    this.cache.set(key, principal);
    return principal;
  }
}

function view(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at ? row.last_used_at.toISOString() : null,
  };
}
