import { describeEvent, isIncidentEventType, toIncidentEvent } from '../incidents';
import type { TimelineEntry } from '../incidents';

/**
 * An entry as every API shows it: the stored or published fields plus `summary` and `kind`
 * from the one shared describer, described on its own (no memory of earlier entries), exactly
 * as command responses describe it, so REST, replay and live agree entry for entry.
 * (The same as the incidents module's toTimelineEntry, which its index does not export yet.)
 */
export function describedEntry(e: {
  seq: number;
  incidentId: string;
  type: string;
  actor: string;
  occurredAt: Date | string;
  data: object | null;
}): TimelineEntry {
  const occurredAt = e.occurredAt instanceof Date ? e.occurredAt.toISOString() : new Date(e.occurredAt).toISOString();
  const data = (e.data ?? {}) as Record<string, unknown>;
  const { kind, text } = isIncidentEventType(e.type)
    ? describeEvent(toIncidentEvent({ type: e.type, actor: e.actor, occurredAt, data }))
    : { kind: 'update' as const, text: e.type };
  return { seq: e.seq, incidentId: e.incidentId, type: e.type, occurredAt, actor: e.actor, data, summary: text, kind };
}
