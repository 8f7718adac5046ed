import { TOPICS } from '../../platform/messaging/message-transport';
import type { OutboxEntry, OutboxSession, OutboxSource } from '../../platform/messaging/outbox-source';
import { encodeIncidentEvent } from '../events/incident-event.message';

/**
 * The channel writers of incident_events notify in their transaction:
 * `SELECT pg_notify('sitrep_outbox', '')`; the notification is delivered when it commits.
 */
export const OUTBOX_CHANNEL = 'sitrep_outbox';

/** "Outb" in PostgreSQL's advisory lock space; unchanged since the first release, so old and new instances share one leader. */
export const INCIDENT_OUTBOX_LOCK_KEY = 0x4f75_7462;

interface EventRow {
  position: string;
  incident_id: string;
  seq: number;
  type: string;
  actor: string;
  occurred_at: Date;
  data: unknown;
}

/**
 * `incident_events` rows with `published = false` are the incidents' outbox: every state
 * change, written by the same statement as the change. Positions of one incident grow with its
 * seq (seq n+1 is appended only after seq n committed), so position order is seq order per
 * incident; messages are keyed by incident so the transport keeps that order.
 */
export class IncidentOutbox implements OutboxSource {
  readonly name = 'incident-events';
  readonly channel = OUTBOX_CHANNEL;
  readonly lockKey = INCIDENT_OUTBOX_LOCK_KEY;

  async unpublished(session: OutboxSession, limit: number): Promise<OutboxEntry[]> {
    // Served by the partial index incident_events_unpublished (position) WHERE NOT published.
    const { rows } = await session.query<EventRow>(
      `SELECT position, incident_id, seq, type, actor, occurred_at, data FROM incident_events
       WHERE NOT published ORDER BY position LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      position: String(row.position),
      topic: TOPICS.incidentEvents,
      message: toMessage(row),
    }));
  }

  async markPublished(session: OutboxSession, positions: string[]): Promise<void> {
    await session.query('UPDATE incident_events SET published = true WHERE position = ANY($1::bigint[])', [positions]);
  }
}

/** The published contract (`IncidentEventMessage`, versioned), keyed by incident. */
function toMessage(row: EventRow) {
  const event = encodeIncidentEvent({
    incidentId: row.incident_id,
    seq: row.seq,
    type: row.type,
    actor: row.actor,
    occurredAt: new Date(row.occurred_at),
    data: row.data,
  });
  return { key: row.incident_id, value: JSON.stringify(event), headers: { 'event-type': row.type } };
}
