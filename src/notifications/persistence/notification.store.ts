import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IncidentCommands, IncidentNotFound, NotificationOutcome } from '../../incidents';
import type { OutboundMessage } from '../channels/channel';
import type { EventFacts, IncidentFacts, JobKind, JobPayload, JobSpec } from '../notification-planner';

/** "sitrep notify" in PostgreSQL's advisory lock space: claims take turns (they are one statement each). */
const CLAIM_LOCK_KEY = 0x4e6f_7479;

export interface ClaimedJob {
  id: string;
  uid: string;
  /** Always set for the incident-event kinds; optional for `message` jobs. */
  incidentId: string;
  eventSeq: number;
  channel: string;
  recipient: string;
  kind: JobKind | 'message';
  gate: string;
  payload: JobPayload;
  attempts: number;
  giveUpAt: Date;
  claimToken: string;
  createdAt: Date;
  progress: JobProgress;
  /** The job was `sending` under an expired lease: an earlier try may have got through. */
  resumed: boolean;
  /** `message` jobs: what to send, and whether the incident's timeline hears the outcome. */
  message?: OutboundMessage;
  recordOutcome: boolean;
  /** Shown on the timeline instead of the raw address. */
  recipientLabel?: string;
}

/** A `message` job as NotificationJobs inserts it. */
export interface MessageJobRow {
  key: string;
  channel: string;
  to: string;
  gate: string;
  message: OutboundMessage;
  incidentId?: string;
  recordOutcome: boolean;
  recipientLabel?: string;
  notBefore?: Date;
  budgetMs: number;
}

export interface JobProgress {
  /** The thread reply of an update job is posted (its chat.update may still be due). */
  replyTs?: string;
  /** An earlier try failed in a way that may still have delivered (timeout, 5xx). */
  uncertain?: boolean;
}

export interface SlackThread {
  channel: string;
  channelId: string;
  rootTs: string;
  /** The incident version the root message was built from: later events are news to the thread. */
  rootVersion: number;
}

export interface PlannedJob extends JobSpec {
  incidentId: string;
  seq: number;
}

export interface CoalesceSettings {
  /** An update job waits this long after the incident's latest change… */
  quietMs: number;
  /** …but no longer than this after the first change it carries. */
  maxDelayMs: number;
}

interface JobRow {
  id: string;
  uid: string;
  incident_id: string | null;
  event_seq: number | null;
  channel: string;
  recipient: string;
  kind: JobKind;
  gate: string;
  payload: JobPayload;
  attempts: number;
  give_up_at: Date;
  claim_token: string;
  created_at: Date;
  progress: JobProgress;
  previous_status: string;
  message: OutboundMessage | null;
  record_outcome: boolean;
  recipient_label: string | null;
}

interface FactsRow {
  incident_id: string;
  last_seq: number;
  severity: string;
  peak_severity: string;
  status: string;
  service: string | null;
  deputy: string | null;
  slack_channels: string[];
}

/** TypeORM answers UPDATE/DELETE with [rows, count] and everything else with rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** The job's claim was lost (its lease expired and another sender took it): record nothing. */
export class LostClaim extends Error {
  constructor(jobId: string) {
    super(`notification job ${jobId} was claimed by another sender`);
    this.name = 'LostClaim';
  }
}

/** Every statement of the notification tables. */
@Injectable()
export class NotificationStore {
  constructor(
    private readonly db: DataSource,
    private readonly incidents: IncidentCommands,
  ) {}

  // ---- consumer side ---------------------------------------------------------------------

  async loadFacts(tx: EntityManager, incidentIds: string[]): Promise<Map<string, IncidentFacts>> {
    const rows = (await tx.query(
      `SELECT * FROM notification_incidents WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id FOR UPDATE`,
      [incidentIds],
    )) as FactsRow[];
    return new Map(
      rows.map((r) => [
        r.incident_id,
        {
          lastSeq: r.last_seq,
          severity: r.severity,
          peakSeverity: r.peak_severity,
          status: r.status,
          service: r.service,
          deputy: r.deputy,
          slackChannels: r.slack_channels,
        },
      ]),
    );
  }

  async saveFacts(tx: EntityManager, facts: Map<string, IncidentFacts>): Promise<void> {
    if (facts.size === 0) return;
    const entries = [...facts.entries()];
    await tx.query(
      `INSERT INTO notification_incidents (incident_id, last_seq, severity, peak_severity, status, service, deputy, slack_channels)
       SELECT f.id, f.last_seq, f.severity, f.peak, f.status, f.service, f.deputy,
              ARRAY(SELECT jsonb_array_elements_text(f.channels))
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
         AS f(id, last_seq, severity, peak, status, service, deputy, channels)
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, severity = EXCLUDED.severity,
         peak_severity = EXCLUDED.peak_severity, status = EXCLUDED.status, service = EXCLUDED.service,
         deputy = EXCLUDED.deputy, slack_channels = EXCLUDED.slack_channels, updated_at = now()`,
      [
        entries.map(([id]) => id),
        entries.map(([, f]) => f.lastSeq),
        entries.map(([, f]) => f.severity),
        entries.map(([, f]) => f.peakSeverity),
        entries.map(([, f]) => f.status),
        entries.map(([, f]) => f.service),
        entries.map(([, f]) => f.deputy),
        entries.map(([, f]) => JSON.stringify(f.slackChannels)),
      ],
    );
  }

  /**
   * Inserts jobs; a job that exists (same event, channel, recipient: a redelivered event)
   * is left alone. Update jobs are then debounced: every pending, untried update job of the
   * same incident thread becomes due `quietMs` after now, but no later than `maxDelayMs` after
   * the first of them was created.
   */
  async insertJobs(tx: EntityManager, jobs: PlannedJob[], budgetMs: number, coalesce: CoalesceSettings): Promise<number> {
    if (jobs.length === 0) return 0;
    const inserted = (await tx.query(
      `INSERT INTO notification_jobs (incident_id, event_seq, channel, recipient, kind, gate, payload, due_at, give_up_at)
       SELECT j.incident_id, j.seq, j.channel, j.recipient, j.kind, j.gate, j.payload,
              CASE WHEN j.kind = 'update' THEN now() + $8 * interval '1 millisecond' ELSE now() END,
              now() + $9 * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
         AS j(incident_id, seq, channel, recipient, kind, gate, payload)
       ON CONFLICT ON CONSTRAINT notification_jobs_event_channel_recipient DO NOTHING
       RETURNING id`,
      [
        jobs.map((j) => j.incidentId),
        jobs.map((j) => j.seq),
        jobs.map((j) => j.channel),
        jobs.map((j) => j.recipient),
        jobs.map((j) => j.kind),
        jobs.map((j) => j.gate),
        jobs.map((j) => JSON.stringify(j.payload)),
        coalesce.quietMs,
        budgetMs,
      ],
    )) as unknown[];
    const threads = new Map<string, PlannedJob>();
    for (const job of jobs) if (job.kind === 'update') threads.set(`${job.incidentId}|${job.channel}|${job.recipient}`, job);
    for (const job of threads.values()) {
      await tx.query(
        `UPDATE notification_jobs SET due_at = LEAST(now() + $4 * interval '1 millisecond',
             (SELECT min(created_at) FROM notification_jobs
              WHERE incident_id = $1 AND channel = $2 AND recipient = $3 AND kind = 'update' AND status = 'pending' AND attempts = 0)
             + $5 * interval '1 millisecond')
         WHERE id IN (SELECT id FROM notification_jobs
                      WHERE incident_id = $1 AND channel = $2 AND recipient = $3 AND kind = 'update'
                        AND status = 'pending' AND attempts = 0
                      FOR UPDATE SKIP LOCKED)`,
        [job.incidentId, job.channel, job.recipient, coalesce.quietMs, coalesce.maxDelayMs],
      );
    }
    return inserted.length;
  }

  /** Inserts a `message` job unless its key exists; true when it was inserted. */
  async insertMessage(tx: EntityManager, job: MessageJobRow): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO notification_jobs (idempotency_key, incident_id, channel, recipient, recipient_label, kind, gate,
         payload, message, record_outcome, due_at, give_up_at)
       VALUES ($1, $2, $3, $4, $5, 'message', $6, '{}', $7, $8, COALESCE($9, now()),
         GREATEST(COALESCE($9, now()), now()) + $10 * interval '1 millisecond')
       ON CONFLICT ON CONSTRAINT notification_jobs_idempotency_key DO NOTHING
       RETURNING id`,
      [
        job.key,
        job.incidentId ?? null,
        job.channel,
        job.to,
        job.recipientLabel ?? null,
        job.gate,
        JSON.stringify(job.message),
        job.recordOutcome,
        job.notBefore ?? null,
        job.budgetMs,
      ],
    )) as unknown[];
    return rows.length > 0;
  }

  // ---- dispatcher side -------------------------------------------------------------------

  /**
   * Claims up to `limit` due jobs, at most one per gate and none of a gate that has a send in
   * flight, marking them `sending` under a lease. An update job absorbs the pending update
   * jobs of its thread (storm control). One short transaction; claims take turns.
   */
  async claim(limit: number, leaseMs: number, channels: string[]): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
      const rows = rowsOf<JobRow>(
        await tx.query(
          `WITH candidates AS (
             SELECT j.id, row_number() OVER (PARTITION BY j.gate ORDER BY j.due_at, j.id) AS rank
             FROM notification_jobs j
             LEFT JOIN notification_gates g ON g.gate = j.gate
             WHERE j.status IN ('pending', 'sending') AND j.due_at <= now() AND j.channel = ANY($3::text[])
               AND (j.status = 'pending' OR j.claimed_until < now())
               AND (g.not_before IS NULL OR g.not_before <= now())
               AND NOT EXISTS (SELECT 1 FROM notification_jobs s
                               WHERE s.gate = j.gate AND s.status = 'sending' AND s.claimed_until >= now())
           ), picked AS (
             SELECT j.id, j.status AS previous_status FROM notification_jobs j JOIN candidates c ON c.id = j.id
             WHERE c.rank = 1 ORDER BY j.due_at, j.id LIMIT $1
             FOR UPDATE OF j SKIP LOCKED
           )
           UPDATE notification_jobs j SET status = 'sending', claim_token = gen_random_uuid(),
             claimed_until = now() + $2 * interval '1 millisecond', attempts = j.attempts + 1
           FROM picked WHERE j.id = picked.id
           RETURNING j.*, picked.previous_status`,
          [limit, leaseMs, channels],
        ),
      );
      const jobs = rows.map(toClaimed);
      for (const job of jobs) {
        // A job whose reply may already be out (posted, or perhaps posted) keeps its own events.
        const settledReply = job.progress.replyTs || job.progress.uncertain || job.resumed;
        if (job.kind === 'update' && !settledReply) await this.absorbUpdates(tx, job);
      }
      return jobs;
    });
  }

  private async absorbUpdates(tx: EntityManager, job: ClaimedJob): Promise<void> {
    const merged = rowsOf<{ payload: JobPayload }>(
      await tx.query(
        `UPDATE notification_jobs SET status = 'merged', merged_into = $1
         WHERE id IN (SELECT id FROM notification_jobs
                      WHERE incident_id = $2 AND channel = $3 AND recipient = $4 AND kind = 'update'
                        AND status = 'pending' AND id <> $1
                      FOR UPDATE SKIP LOCKED)
         RETURNING payload`,
        [job.id, job.incidentId, job.channel, job.recipient],
      ),
    );
    if (merged.length === 0) return;
    const bySeq = new Map<number, EventFacts>();
    for (const e of [...job.payload.events, ...merged.flatMap((m) => m.payload.events)]) bySeq.set(e.seq, e);
    job.payload = { ...job.payload, events: [...bySeq.values()].sort((a, b) => a.seq - b.seq) };
    await tx.query(`UPDATE notification_jobs SET payload = $2 WHERE id = $1`, [job.id, JSON.stringify(job.payload)]);
  }

  /** Milliseconds until a job of these channels may be due (capped by the caller). */
  async nextWakeMs(channels: string[]): Promise<number | undefined> {
    const [row] = (await this.db.query(
      `SELECT EXTRACT(EPOCH FROM (
           (SELECT min(GREATEST(CASE WHEN j.status = 'sending' THEN j.claimed_until ELSE j.due_at END,
                                COALESCE(g.not_before, '-infinity'::timestamptz)))
            FROM notification_jobs j LEFT JOIN notification_gates g ON g.gate = j.gate
            WHERE j.status IN ('pending', 'sending') AND j.channel = ANY($1::text[])
              AND NOT EXISTS (SELECT 1 FROM notification_jobs s
                              WHERE s.gate = j.gate AND s.id <> j.id AND s.status = 'sending' AND s.claimed_until >= now()))
           - clock_timestamp())) * 1000 AS ms`,
      [channels],
    )) as Array<{ ms: string | number | null }>;
    return row?.ms === null || row?.ms === undefined ? undefined : Math.max(0, Number(row.ms));
  }

  /** Renews the lease and saves progress between the two calls of a job. */
  async saveProgress(job: ClaimedJob, progress: JobProgress, leaseMs: number): Promise<void> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE notification_jobs SET progress = $3, claimed_until = now() + $4 * interval '1 millisecond'
         WHERE id = $1 AND claim_token = $2 RETURNING id`,
        [job.id, job.claimToken, JSON.stringify(progress), leaseMs],
      ),
    );
    if (rows.length === 0) throw new LostClaim(job.id);
    job.progress = progress;
  }

  /**
   * Puts a job back to wait `delayMs`: a retry after a transient failure (`countAttempt`), or a
   * rate limit / deferral (the attempt is given back). A closed gate (`gateMs`) holds every job
   * of the gate; `paceMs` keeps pacing the gate for that long afterwards.
   */
  async release(
    job: ClaimedJob,
    options: { delayMs: number; countAttempt: boolean; error?: string; progress?: JobProgress; gateMs?: number; paceForMs?: number },
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = rowsOf(
        await tx.query(
          `UPDATE notification_jobs SET status = 'pending', claim_token = NULL, claimed_until = NULL,
             due_at = now() + $3 * interval '1 millisecond', attempts = attempts - $4::int,
             last_error = COALESCE($5, last_error), progress = COALESCE($6::jsonb, progress)
           WHERE id = $1 AND claim_token = $2 RETURNING id`,
          [
            job.id,
            job.claimToken,
            options.delayMs,
            options.countAttempt ? 0 : 1,
            options.error ?? null,
            options.progress ? JSON.stringify(options.progress) : null,
          ],
        ),
      );
      if (rows.length === 0) throw new LostClaim(job.id);
      if (options.gateMs !== undefined) await this.closeGate(tx, job.gate, options.gateMs, options.paceForMs ?? 0);
    });
  }

  private async closeGate(tx: EntityManager, gate: string, ms: number, paceForMs: number): Promise<void> {
    await tx.query(
      `INSERT INTO notification_gates (gate, not_before, paced_until)
       VALUES ($1, now() + $2 * interval '1 millisecond', now() + $3 * interval '1 millisecond')
       ON CONFLICT (gate) DO UPDATE SET not_before = GREATEST(notification_gates.not_before, EXCLUDED.not_before),
         paced_until = GREATEST(notification_gates.paced_until, EXCLUDED.paced_until)`,
      [gate, ms, paceForMs],
    );
  }

  /**
   * Ends a job (and the jobs it absorbed) as sent or failed and, in the same transaction,
   * records the outcome on the incident's timeline, the thread it started, and the gate's
   * pacing (a gate that saw a 429 recently keeps one send per `paceMs`, counted from when the
   * send began `elapsedMs` ago). `record: false` ends the job without a timeline entry.
   */
  async finish(
    job: ClaimedJob,
    outcome: NotificationOutcome,
    options: { thread?: SlackThread; paceMs?: number; elapsedMs?: number; record?: boolean; progress?: JobProgress } = {},
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const error = outcome.status === 'failed' ? outcome.reason : null;
      const rows = rowsOf(
        await tx.query(
          `UPDATE notification_jobs SET status = $3, finished_at = now(), claim_token = NULL, claimed_until = NULL,
             last_error = $4, progress = COALESCE($5::jsonb, progress)
           WHERE id = $1 AND claim_token = $2 RETURNING id`,
          [job.id, job.claimToken, outcome.status, error, options.progress ? JSON.stringify(options.progress) : null],
        ),
      );
      if (rows.length === 0) throw new LostClaim(job.id);
      await tx.query(
        `UPDATE notification_jobs SET status = $2, finished_at = now(), last_error = $3
         WHERE merged_into = $1 AND status = 'merged'`,
        [job.id, outcome.status, error],
      );
      if (options.thread) {
        await tx.query(
          `INSERT INTO slack_threads (incident_id, channel, channel_id, root_ts, root_version) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (incident_id, channel) DO NOTHING`,
          [job.incidentId, options.thread.channel, options.thread.channelId, options.thread.rootTs, options.thread.rootVersion],
        );
      }
      if (options.paceMs !== undefined) {
        await tx.query(
          `UPDATE notification_gates SET not_before = GREATEST(not_before, now() + $2 * interval '1 millisecond')
           WHERE gate = $1 AND paced_until > now()`,
          [job.gate, options.paceMs - (options.elapsedMs ?? 0)],
        );
      }
      if (options.record !== false && job.recordOutcome && job.incidentId) {
        try {
          await this.incidents.act(job.incidentId, { actor: 'system', tx }, (incident, ctx) =>
            incident.recordNotification(outcome, ctx),
          );
        } catch (error) {
          // The incident is gone (or a message job named a wrong one): the job still ends.
          if (!(error instanceof IncidentNotFound)) throw error;
        }
      }
    });
  }

  async thread(incidentId: string, channel: string): Promise<SlackThread | undefined> {
    const [row] = (await this.db.query(
      `SELECT channel, channel_id, root_ts, root_version FROM slack_threads WHERE incident_id = $1 AND channel = $2`,
      [incidentId, channel],
    )) as Array<{ channel: string; channel_id: string; root_ts: string; root_version: number }>;
    return row ? { channel: row.channel, channelId: row.channel_id, rootTs: row.root_ts, rootVersion: row.root_version } : undefined;
  }

  /** The incident's announcement in a channel: its job's status and, while it waits, ms until it is due. */
  async announcement(incidentId: string, channel: string): Promise<{ status: string; dueInMs: number } | undefined> {
    const [row] = (await this.db.query(
      `SELECT status, GREATEST(0, EXTRACT(EPOCH FROM (GREATEST(due_at, COALESCE(claimed_until, due_at)) - now())) * 1000)::float8 AS due_in_ms
       FROM notification_jobs
       WHERE incident_id = $1 AND channel = 'slack' AND recipient = $2 AND kind = 'announce'
       ORDER BY id DESC LIMIT 1`,
      [incidentId, channel],
    )) as Array<{ status: string; due_in_ms: number }>;
    return row ? { status: row.status, dueInMs: Number(row.due_in_ms) } : undefined;
  }

  /** Jobs waiting (pending or in flight) and the age of the oldest due one, for metrics. */
  async queueStats(): Promise<{ depth: number; oldestDueSeconds: number }> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS depth,
              COALESCE(EXTRACT(EPOCH FROM (now() - min(due_at) FILTER (WHERE due_at <= now()))), 0)::float8 AS oldest
       FROM notification_jobs WHERE status IN ('pending', 'sending')`,
    )) as Array<{ depth: number; oldest: number }>;
    return { depth: row?.depth ?? 0, oldestDueSeconds: Number(row?.oldest ?? 0) };
  }
}

function toClaimed(row: JobRow): ClaimedJob {
  return {
    id: String(row.id),
    uid: row.uid,
    incidentId: row.incident_id ?? '',
    eventSeq: row.event_seq ?? 0,
    channel: row.channel,
    recipient: row.recipient,
    kind: row.kind,
    gate: row.gate,
    payload: row.payload,
    attempts: row.attempts,
    giveUpAt: new Date(row.give_up_at),
    claimToken: row.claim_token,
    createdAt: new Date(row.created_at),
    progress: row.progress ?? {},
    resumed: row.previous_status === 'sending',
    message: row.message ?? undefined,
    recordOutcome: row.record_outcome,
    recipientLabel: row.recipient_label ?? undefined,
  };
}
