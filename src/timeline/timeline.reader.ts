import { Injectable } from '@nestjs/common';
import type { TimelineEntry } from '../incidents';
import { IncidentNotFound, IncidentTimeline, MAX_SEQ } from '../incidents';
import { isUuid } from '../platform/http/uuid';

export { MAX_SEQ };

export interface TimelinePage {
  items: TimelineEntry[];
  /**
   * The seq of the last item when more entries existed at read time (pass it as `after`);
   * null when the page reached the end of the timeline as it was then.
   */
  nextAfter: number | null;
}


/** Timeline pages for the REST API, over the incidents module's read port. */
@Injectable()
export class TimelineReader {
  constructor(private readonly log: IncidentTimeline) {}

  /** Entries of one incident with after < seq ≤ upTo, in seq order, at most `limit`. */
  read(incidentId: string, after: number, upTo: number, limit: number): Promise<TimelineEntry[]> {
    return this.log.read(incidentId, after, upTo, limit);
  }

  exists(incidentId: string): Promise<boolean> {
    return this.log.exists(incidentId);
  }

  /** One page for the REST API; an unknown (or malformed) id is IncidentNotFound. */
  async page(incidentId: string, after: number, limit: number): Promise<TimelinePage> {
    if (!isUuid(incidentId)) throw new IncidentNotFound(incidentId);
    // One row more than asked tells whether another page exists.
    const rows = await this.read(incidentId, after, MAX_SEQ, limit + 1);
    if (rows.length === 0 && !(await this.exists(incidentId))) throw new IncidentNotFound(incidentId);
    const items = rows.slice(0, limit);
    return { items, nextAfter: rows.length > limit ? items[items.length - 1].seq : null };
  }
}
