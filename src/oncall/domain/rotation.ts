import { DAY_MS, parseLocalDateTime, toInstant, toLocal, type LocalTime } from './local-time';
import type { Layer, Rotation } from './schedule-definition';
import { parseRotation } from './schedule-definition';

/**
 * A layer's turns: member k mod n holds turn k, from handoff k to handoff k + 1, round and round
 * from the layer's `start` (before it, nobody). Handoff k is
 * - `start + k × rotation` in elapsed time for `PT…H` rotations (a 12-hour turn is 12 hours,
 *   whatever the clocks do), and
 * - the local time `start + k × rotation days`, resolved in the zone, for `P…D`/`P…W` rotations:
 *   the same wall-clock time every time, so a turn across a DST change lasts 23 or 25 hours.
 */

export interface Turn {
  handle: string;
  start: number;
  end: number;
}

class Handoffs {
  private readonly startInstant: number;

  constructor(
    private readonly startLocal: LocalTime,
    private readonly rotation: Rotation,
    private readonly zone: string,
  ) {
    this.startInstant = toInstant(startLocal, zone);
  }

  at(k: number): number {
    if (this.rotation.kind === 'elapsed') return this.startInstant + k * this.rotation.ms;
    return toInstant(this.startLocal + k * this.rotation.days * DAY_MS, this.zone);
  }

  /** The turn holding `instant` (it may be negative: before the start). */
  indexAt(instant: number): number {
    const approxTurnMs = this.rotation.kind === 'elapsed' ? this.rotation.ms : this.rotation.days * DAY_MS;
    let k =
      this.rotation.kind === 'elapsed'
        ? Math.floor((instant - this.startInstant) / approxTurnMs)
        : Math.floor((toLocal(instant, this.zone) - this.startLocal) / approxTurnMs);
    // The estimate is off by at most one turn around a DST change: step to the exact one.
    while (this.at(k) > instant) k--;
    while (this.at(k + 1) <= instant) k++;
    return k;
  }
}

/** The turns of a layer overlapping `[from, to)`, clipped to it. */
export function layerTurns(layer: Layer, zone: string, from: number, to: number): Turn[] {
  const startLocal = parseLocalDateTime(layer.start);
  const rotation = parseRotation(layer.rotation);
  if (!startLocal || !rotation || layer.members.length === 0 || from >= to) return [];
  const handoffs = new Handoffs(startLocal, rotation, zone);
  const turns: Turn[] = [];
  let k = Math.max(0, handoffs.indexAt(from));
  let begin = handoffs.at(k);
  while (begin < to) {
    const end = handoffs.at(k + 1);
    if (end > from && end > begin) {
      turns.push({
        handle: layer.members[k % layer.members.length],
        start: Math.max(begin, from),
        end: Math.min(end, to),
      });
    }
    k++;
    begin = end;
  }
  return turns;
}
