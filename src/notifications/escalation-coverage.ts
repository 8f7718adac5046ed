import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type EscalationCheck = (service: string | null, tx: EntityManager) => Promise<boolean>;

/**
 * Whether someone else escalates an incident (paging, where an escalation policy applies). v1's
 * single ACK_TIMEOUT hop fires only where no registered check claims the incident's service; a
 * module that escalates registers its check at start-up (notifications cannot import it: the
 * dependency runs the other way).
 */
@Injectable()
export class EscalationCoverage {
  private readonly checks: EscalationCheck[] = [];

  register(check: EscalationCheck): void {
    this.checks.push(check);
  }

  async covers(service: string | null, tx: EntityManager): Promise<boolean> {
    for (const check of this.checks) if (await check(service, tx)) return true;
    return false;
  }
}
