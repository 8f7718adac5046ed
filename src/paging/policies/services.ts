import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';
import { isStorableText } from '../domain/policy';
import { invalid } from '../http/problems';
import { EscalationPolicies, EscalationPolicyView } from './escalation-policies';

export interface ServiceView {
  name: string;
  escalationPolicyId: string | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ServiceRow {
  name: string;
  escalation_policy_id: string | null;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

const view = (r: ServiceRow): ServiceView => ({
  name: r.name,
  escalationPolicyId: r.escalation_policy_id,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const SERVICE_NAME = /^[^\s\p{Cc}][^\p{Cc}]{0,199}$/u;

/** Services (the `service` of alerts and incidents) and the escalation policy each pages with. */
@Injectable()
export class Services {
  constructor(
    private readonly db: DataSource,
    private readonly policies: EscalationPolicies,
  ) {}

  async put(name: string, body: unknown): Promise<ServiceView> {
    checkName(name);
    const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const problems = [];
    const policyId = b.escalationPolicyId ?? null;
    if (policyId !== null && (typeof policyId !== 'string' || !isUuid(policyId))) {
      problems.push({ path: 'escalationPolicyId', problem: 'must be an escalation policy id or null' });
    }
    const description = b.description ?? null;
    if (description !== null && (typeof description !== 'string' || description.length > 2000)) {
      problems.push({ path: 'description', problem: 'must be text of at most 2000 characters' });
    }
    for (const key of Object.keys(b)) {
      if (key !== 'escalationPolicyId' && key !== 'description')
        problems.push({ path: key, problem: 'is not a service field' });
    }
    if (problems.length > 0) throw invalid(problems);
    return this.db.transaction(async (tx) => {
      // FOR KEY SHARE: the policy cannot be deleted before this commits (nor can the delete miss us).
      if (
        policyId !== null &&
        !(await tx.query(`SELECT 1 FROM escalation_policies WHERE id = $1 FOR KEY SHARE`, [policyId])).length
      ) {
        throw invalid([{ path: 'escalationPolicyId', problem: `no escalation policy ${policyId as string}` }]);
      }
      const [row] = (await tx.query(
        `INSERT INTO services (name, escalation_policy_id, description) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET escalation_policy_id = EXCLUDED.escalation_policy_id,
           description = EXCLUDED.description, updated_at = now()
         RETURNING *`,
        [name, policyId, description],
      )) as ServiceRow[];
      return view(row);
    });
  }

  async get(name: string): Promise<ServiceView> {
    checkName(name);
    const [row] = (await this.db.query(`SELECT * FROM services WHERE name = $1`, [name])) as ServiceRow[];
    if (!row) throw new AppError('not_found', 'SERVICE_NOT_FOUND', `No service ${name}`);
    return view(row);
  }

  async list(limit: number, after?: string): Promise<ServiceView[]> {
    const rows = (await this.db.query(
      after
        ? `SELECT * FROM services WHERE name > $2 ORDER BY name LIMIT $1`
        : `SELECT * FROM services ORDER BY name LIMIT $1`,
      after ? [limit, after] : [limit],
    )) as ServiceRow[];
    return rows.map(view);
  }

  /**
   * The policy that pages for an incident of `service`: the service's own, else the default
   * one; null when neither exists (v1's ACK_TIMEOUT hop applies then).
   */
  async policyFor(service: string | null, tx?: EntityManager): Promise<EscalationPolicyView | null> {
    if (service !== null) {
      const [row] = (await (tx ?? this.db.manager).query(`SELECT escalation_policy_id FROM services WHERE name = $1`, [
        service,
      ])) as Array<{
        escalation_policy_id: string | null;
      }>;
      if (row?.escalation_policy_id) {
        const own = await this.policies.find(row.escalation_policy_id, tx);
        if (own) return own;
      }
    }
    return this.policies.findDefault(tx);
  }
}

function checkName(name: string): void {
  if (!SERVICE_NAME.test(name) || !isStorableText(name))
    throw invalid([{ path: 'name', problem: 'must be 1 to 200 characters without control characters' }]);
}
