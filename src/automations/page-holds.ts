import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IncidentEventMessage } from '../incidents';
import { AutomationEngine } from './automation-engine';
import { occurrenceKey } from './domain/match';

/** What paging does with a held page when an automation event arrives. */
export type HoldVerdict = 'page' | 'stand-down';

/**
 * Automation before people: the page of an incident declared by an alert that an `auto`
 * automation with `verify` runs on waits for that automation's verdict. Paging asks `holdFor`
 * when it would start the page on declaration, then hands `verdict` every automation event of
 * the incident in stream order; the verdict events always come after `incident.declared`, so
 * a verdict reached before paging asked is still seen.
 */
@Injectable()
export class PageHolds {
  constructor(
    private readonly db: DataSource,
    private readonly engine: AutomationEngine,
  ) {}

  /** Whether any automation could hold a page at all: an enabled `auto` one that verifies. */
  async anyCanHold(tx?: EntityManager): Promise<boolean> {
    const [{ any }] = (await (tx ?? this.db).query(
      `SELECT EXISTS (SELECT 1 FROM automations WHERE enabled AND deleted_at IS NULL AND mode = 'auto' AND verify IS NOT NULL) AS any`,
    )) as Array<{ any: boolean }>;
    return any;
  }

  /**
   * Whether to hold the incident's page. Decides (once, idempotently) the automations for the
   * declaring alert, so the run is queued even if automation's own consumer has not seen the
   * alert yet. Joins the caller's transaction when given. Where `anyCanHold` is false this is
   * always false: most deployments have no such automation and a storm declares hundreds of
   * incidents, so callers ask that first (paging once per batch).
   */
  async holdFor(incidentId: string, tx?: EntityManager): Promise<boolean> {
    // A failed read pages: an automation that cannot be asked never keeps people asleep.
    const alerts = await this.engine.alertsOf(incidentId).catch(() => []);
    // The alerts of the delivery that declared the incident (attached together, first). One that
    // resolved before paging got here still counts: its run may be waiting for its verdict.
    const declaring = alerts.filter((a) => a.attachedAt === alerts[0]?.attachedAt);
    if (declaring.length === 0) return false;
    const work = async (t: EntityManager) => {
      const [existing] = (await t.query(`SELECT released_at FROM automation_page_holds WHERE incident_id = $1`, [
        incidentId,
      ])) as Array<{ released_at: Date | null }>;
      if (existing) return existing.released_at === null;
      for (const alert of declaring) await this.engine.decideForAlert(incidentId, alert, t);
      // Decisions are remembered per occurrence, so this also finds a run decided earlier by
      // automation's own consumer for an alert that has resolved since.
      const [holding] = (await t.query(
        `SELECT o.automation_id, o.run_id FROM automation_occurrences o JOIN automations a ON a.id = o.automation_id
         WHERE o.incident_id = $1 AND o.occurrence = ANY($2) AND o.decision = 'run' AND o.run_id IS NOT NULL
           AND a.mode = 'auto' AND a.verify IS NOT NULL
         ORDER BY o.decided_at, o.automation_id LIMIT 1`,
        [incidentId, declaring.map((a) => occurrenceKey(a.identity, a.startsAt))],
      )) as Array<{ automation_id: string; run_id: string }>;
      if (!holding) return false;
      await t.query(
        `INSERT INTO automation_page_holds (incident_id, automation_id, run_id) VALUES ($1, $2, $3)
         ON CONFLICT (incident_id) DO NOTHING`,
        [incidentId, holding.automation_id, holding.run_id],
      );
      return true;
    };
    return tx ? work(tx) : this.db.transaction(work);
  }

  /**
   * The held page's fate from one incident event: `stand-down` on the holding run's
   * `automation.verified` (nobody is woken), `page` on its `failed` / `unverified`, null for
   * anything else or once released. A guard that skips the declaring alert holds nothing
   * (`holdFor` is false and the page starts on declaration).
   */
  async verdict(event: IncidentEventMessage, tx?: EntityManager): Promise<HoldVerdict | null> {
    if (
      event.type !== 'automation.verified' &&
      event.type !== 'automation.failed' &&
      event.type !== 'automation.unverified' &&
      event.type !== 'automation.skipped'
    )
      return null;
    const work = async (t: EntityManager): Promise<HoldVerdict | null> => {
      const [hold] = (await t.query(
        `SELECT automation_id, run_id FROM automation_page_holds
         WHERE incident_id = $1 AND released_at IS NULL FOR UPDATE`,
        [event.incidentId],
      )) as Array<{ automation_id: string; run_id: string | null }>;
      if (!hold || hold.automation_id !== event.data.automationId) return null;
      const runId = 'runId' in event.data ? event.data.runId : null;
      if (runId && hold.run_id && runId !== hold.run_id) return null;
      // A hold always waits on a run; a later `skipped` of the same automation is about another
      // occurrence of its alert (its guard stopped that one), not about the run being waited on.
      if (event.type === 'automation.skipped' && hold.run_id) return null;
      await t.query(`UPDATE automation_page_holds SET released_at = now() WHERE incident_id = $1`, [event.incidentId]);
      return event.type === 'automation.verified' ? 'stand-down' : 'page';
    };
    return tx ? work(tx) : this.db.transaction(work);
  }

  /** Whether the incident's page is held right now (a raise of severity starts no page meanwhile). */
  async isHeld(incidentId: string, tx?: EntityManager): Promise<boolean> {
    const rows = (await (tx ?? this.db).query(
      `SELECT 1 FROM automation_page_holds WHERE incident_id = $1 AND released_at IS NULL`,
      [incidentId],
    )) as unknown[];
    return rows.length > 0;
  }
}
