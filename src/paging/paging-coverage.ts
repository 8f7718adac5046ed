import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Services } from './policies/services';

/**
 * Whether an escalation policy pages for an incident of `service` (its service's policy, else
 * the default one). While one does, v1's single ACK_TIMEOUT hop must not fire: notifications'
 * escalation timer asks this in its transaction.
 */
@Injectable()
export class PagingCoverage {
  constructor(private readonly services: Services) {}

  async governs(service: string | null, tx?: EntityManager): Promise<boolean> {
    return (await this.services.policyFor(service, tx)) !== null;
  }
}
