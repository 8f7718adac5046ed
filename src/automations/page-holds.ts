import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IncidentEventMessage } from '../incidents';
import { AutomationEngine } from './automation-engine';

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

  /**
   * Whether to hold the incident's page. Decides (once, idempotently) the automations for the
   * declaring alert, so the run is queued even if automation's own consumer has not seen the
   * alert yet. Joins the caller's transaction when given.
   */
  async holdFor(incidentId: string, tx?: EntityManager): Promise<boolean> {
    const alerts = await this.engine.alertsOf(incidentId).catch(() => []);
    // The alerts of the delivery that declared the incident (attached together, first).
    const declaring = alerts.filter((a) => a.attachedAt === alerts[0]?.attachedAt && a.status === 'firing');
    if (declaring.length === 0) return false;
    const work = async (t: EntityManager) => {
      const [existing] = (await t.query(`SELECT released_at FROM automation_page_holds WHERE incident_id = $1`, [
        incidentId,
      ])) as Array<{ released_at: Date | null }>;
      if (existing) return existing.released_at === null;
      const decisions = [];
      for (const alert of declaring) decisions.push(...(await this.engine.decideForAlert(incidentId, alert, t)));
      const holding = decisions.find((d) => d.mode === 'auto' && d.verify && d.decision === 'run' && d.runId);
      if (!holding) return false;
      await t.query(
        `INSERT INTO automation_page_holds (incident_id, automation_id, run_id) VALUES ($1, $2, $3)
         ON CONFLICT (incident_id) DO NOTHING`,
        [incidentId, holding.automationId, holding.runId],
      );
      return true;
    };
    return tx ? work(tx) : this.db.transaction(work);
  }

  /**
   * The held page's fate from one incident event: `stand-down` on the holding run's
   * `automation.verified` (nobody is woken), `page` on its `failed` / `unverified` (or the
   * holding automation's `skipped`), null for anything else or once released.
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
      await t.query(`UPDATE automation_page_holds SET released_at = now() WHERE incident_id = $1`, [event.incidentId]);
      return event.type === 'automation.verified' ? 'stand-down' : 'page';
    };
    return tx ? work(tx) : this.db.transaction(work);
  }

  /** Whether the incident's page is held right now (for views and the paging coverage report). */
  async isHeld(incidentId: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM automation_page_holds WHERE incident_id = $1 AND released_at IS NULL`,
      [incidentId],
    )) as unknown[];
    return rows.length > 0;
  }
}
