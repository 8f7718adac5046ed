import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface AckTokenOwner {
  pageId: string;
  incidentId: string;
  responder: string;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Acknowledge-link tokens: 256 random bits (base64url), stored as SHA-256 only, each naming
 * one page and one paged responder. The house way (see platform/auth/token.service.ts).
 */
@Injectable()
export class AckTokens {
  constructor(private readonly db: DataSource) {}

  /** A new token for `owner`, written in the page step's transaction. */
  async issue(tx: EntityManager, owner: AckTokenOwner): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await tx.query(
      `INSERT INTO page_ack_tokens (token_hash, page_id, incident_id, responder) VALUES ($1, $2, $3, $4)`,
      [hash(token), owner.pageId, owner.incidentId, owner.responder],
    );
    return token;
  }

  /** Whose token this is; undefined for a malformed or unknown one (looked up by hash). */
  async owner(token: string): Promise<AckTokenOwner | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const [row] = (await this.db.query(
      `SELECT page_id, incident_id, responder FROM page_ack_tokens WHERE token_hash = $1`,
      [hash(token)],
    )) as Array<{
      page_id: string;
      incident_id: string;
      responder: string;
    }>;
    return row ? { pageId: row.page_id, incidentId: row.incident_id, responder: row.responder } : undefined;
  }
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
