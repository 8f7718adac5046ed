import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Severity } from '../../incidents';
import type { ChatFacts } from '../domain/chat-plan';

export type SlackRequestKind = 'command' | 'interaction' | 'event';
export type ChatJobKind = 'create_channel' | 'invite' | 'pin' | 'click';

export interface PlannedChatJob {
  incidentId: string;
  kind: ChatJobKind;
  key: string;
  payload: Record<string, unknown>;
}

export interface ChatJobRow {
  id: string;
  incident_id: string;
  kind: ChatJobKind;
  job_key: string;
  payload: Record<string, any>;
  attempts: number;
  progress: Record<string, any>;
  created_at: Date;
}

export interface ChatIncident {
  incidentId: string;
  number: number;
  title: string;
  channelId: string | null;
  channelName: string | null;
  channelWanted: boolean;
}

interface FactsRow {
  incident_id: string;
  incident_number: number;
  title: string;
  severity: Severity;
  commander: string | null;
  deputy: string | null;
  last_seq: number;
  channel_wanted: boolean;
  channel_id: string | null;
  channel_name: string | null;
}

const chatIncident = (r: FactsRow): ChatIncident => ({
  incidentId: r.incident_id,
  number: r.incident_number,
  title: r.title,
  channelId: r.channel_id,
  channelName: r.channel_name,
  channelWanted: r.channel_wanted,
});

/** The chatops tables. Nobody else reads them; chatops reads nobody else's. */
@Injectable()
export class ChatopsStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a Slack request as applied; false when it was already (a retry, the same
   * `trigger_id` or `event_id`). Inside `tx` it commits with the request's effect.
   */
  async claimRequest(kind: SlackRequestKind, key: string, tx?: EntityManager): Promise<boolean> {
    const rows = (await (tx ?? this.db).query(
      `INSERT INTO slack_requests (kind, request_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [kind, key],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Slack retries for minutes, not days: older keys can go. */
  async pruneRequests(olderThanMs: number): Promise<void> {
    await this.db.query(`DELETE FROM slack_requests WHERE received_at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]);
  }

  async loadFacts(tx: EntityManager, incidentIds: string[]): Promise<Map<string, ChatFacts>> {
    const rows = (await tx.query(
      `SELECT * FROM chat_incidents WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id FOR UPDATE`,
      [incidentIds],
    )) as FactsRow[];
    return new Map(
      rows.map((r) => [
        r.incident_id,
        {
          incidentId: r.incident_id,
          number: r.incident_number,
          title: r.title,
          severity: r.severity,
          commander: r.commander,
          deputy: r.deputy,
          lastSeq: r.last_seq,
          channelWanted: r.channel_wanted,
        },
      ]),
    );
  }

  /** One statement for the whole batch's incidents (a storm touches hundreds). */
  async saveFacts(tx: EntityManager, facts: ChatFacts[]): Promise<void> {
    if (facts.length === 0) return;
    await tx.query(
      `INSERT INTO chat_incidents (incident_id, incident_number, title, severity, commander, deputy, last_seq, channel_wanted)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::boolean[])
       ON CONFLICT (incident_id) DO UPDATE SET title = EXCLUDED.title, severity = EXCLUDED.severity,
         commander = EXCLUDED.commander, deputy = EXCLUDED.deputy, last_seq = EXCLUDED.last_seq,
         channel_wanted = EXCLUDED.channel_wanted, updated_at = now()`,
      [
        facts.map((f) => f.incidentId),
        facts.map((f) => f.number),
        facts.map((f) => f.title),
        facts.map((f) => f.severity),
        facts.map((f) => f.commander),
        facts.map((f) => f.deputy),
        facts.map((f) => f.lastSeq),
        facts.map((f) => f.channelWanted),
      ],
    );
  }

  /** Inserts jobs not planned before (unique per incident, kind and key); answers how many. */
  async insertJobs(jobs: PlannedChatJob[], tx?: EntityManager): Promise<number> {
    let inserted = 0;
    for (const job of jobs) {
      const rows = (await (tx ?? this.db).query(
        `INSERT INTO chat_jobs (incident_id, kind, job_key, payload) VALUES ($1, $2, $3, $4)
         ON CONFLICT ON CONSTRAINT chat_jobs_once DO NOTHING RETURNING id`,
        [job.incidentId, job.kind, job.key, JSON.stringify(job.payload)],
      )) as unknown[];
      inserted += rows.length;
    }
    return inserted;
  }

  async byChannel(channelId: string): Promise<ChatIncident | undefined> {
    const [row] = (await this.db.query(`SELECT * FROM chat_incidents WHERE channel_id = $1`, [channelId])) as FactsRow[];
    return row ? chatIncident(row) : undefined;
  }

  async byNumber(number: number): Promise<ChatIncident | undefined> {
    const [row] = (await this.db.query(`SELECT * FROM chat_incidents WHERE incident_number = $1`, [number])) as FactsRow[];
    return row ? chatIncident(row) : undefined;
  }

  async byId(incidentId: string, tx?: EntityManager, lock = false): Promise<ChatIncident | undefined> {
    const [row] = (await (tx ?? this.db).query(
      `SELECT * FROM chat_incidents WHERE incident_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [incidentId],
    )) as FactsRow[];
    return row ? chatIncident(row) : undefined;
  }

  async setChannel(tx: EntityManager, incidentId: string, channelId: string, channelName: string): Promise<void> {
    await tx.query(
      `UPDATE chat_incidents SET channel_id = $2, channel_name = $3, linked_at = now(), updated_at = now() WHERE incident_id = $1`,
      [incidentId, channelId, channelName],
    );
  }

  /** Leases due jobs to this worker; an expired lease (a crashed worker) makes a job due again. */
  async claimDue(limit: number, leaseMs: number): Promise<ChatJobRow[]> {
    // TypeORM answers an UPDATE … RETURNING as [rows, affected].
    const [rows] = (await this.db.query(
      `UPDATE chat_jobs SET claimed_until = now() + make_interval(secs => $2)
       WHERE id IN (SELECT id FROM chat_jobs
                    WHERE status = 'pending' AND due_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                    ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, incident_id, kind, job_key, payload, attempts, progress, created_at`,
      [limit, leaseMs / 1000],
    )) as [ChatJobRow[], number];
    return rows;
  }

  /** Milliseconds until the next pending job is due (0 if one is); undefined when none is pending. */
  async nextDueInMs(): Promise<number | undefined> {
    // greatest() skips a NULL, so it must not see the min() of no rows: that would read as "due now".
    const [row] = (await this.db.query(
      `SELECT CASE WHEN next IS NULL THEN NULL ELSE greatest(0, extract(epoch FROM next - now()) * 1000)::float END AS ms
       FROM (SELECT min(greatest(due_at, coalesce(claimed_until, due_at))) AS next FROM chat_jobs WHERE status = 'pending') AS pending`,
    )) as Array<{ ms: number | null }>;
    return row?.ms ?? undefined;
  }

  async finish(id: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db).query(
      `UPDATE chat_jobs SET status = 'done', finished_at = now(), claimed_until = NULL, attempts = attempts + 1 WHERE id = $1`,
      [id],
    );
  }

  async fail(id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE chat_jobs SET status = 'failed', finished_at = now(), claimed_until = NULL, attempts = attempts + 1, last_error = $2 WHERE id = $1`,
      [id, reason],
    );
  }

  /** Again later: `attempt` false for a 429 or a job waiting on another (not the job's fault). */
  async retryLater(id: string, delayMs: number, attempt: boolean, reason: string | null, progress?: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `UPDATE chat_jobs SET due_at = now() + make_interval(secs => $2), claimed_until = NULL,
         attempts = attempts + $3, last_error = coalesce($4, last_error), progress = coalesce($5::jsonb, progress)
       WHERE id = $1`,
      [id, delayMs / 1000, attempt ? 1 : 0, reason, progress ? JSON.stringify(progress) : null],
    );
  }

  async saveProgress(id: string, progress: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE chat_jobs SET progress = $2 WHERE id = $1`, [id, JSON.stringify(progress)]);
  }

  async jobStatus(incidentId: string, kind: ChatJobKind): Promise<string | undefined> {
    const [row] = (await this.db.query(`SELECT status FROM chat_jobs WHERE incident_id = $1 AND kind = $2 ORDER BY id LIMIT 1`, [
      incidentId,
      kind,
    ])) as Array<{ status: string }>;
    return row?.status;
  }

  async saveDeclareReply(incidentId: string, responseUrl: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO chat_declare_replies (incident_id, response_url, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [incidentId, responseUrl, expiresAt],
    );
  }

  /** The declaring command's response URL, once, while Slack still takes it. */
  async takeDeclareReply(tx: EntityManager, incidentId: string): Promise<string | undefined> {
    const [rows] = (await tx.query(
      `UPDATE chat_declare_replies SET sent_at = now() WHERE incident_id = $1 AND sent_at IS NULL AND expires_at > now() RETURNING response_url`,
      [incidentId],
    )) as [Array<{ response_url: string }>, number];
    return rows[0]?.response_url;
  }
}
