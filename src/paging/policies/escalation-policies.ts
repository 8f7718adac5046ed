import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ResponderDirectory } from '../../incidents';
import { OnCallDirectory, ScheduleUsage } from '../../oncall';
import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';
import { checkPolicy, FieldProblem, PagePolicy, PolicyDefinition } from '../domain/policy';
import { invalid } from '../http/problems';
import { rowsOf } from '../persistence/rows';

export interface EscalationPolicyView extends PolicyDefinition {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface PolicyRow {
  id: string;
  name: string;
  is_default: boolean;
  repeat: number;
  urgent_severities: string[];
  steps: PolicyDefinition['steps'];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const view = (r: PolicyRow): EscalationPolicyView => ({
  id: r.id,
  name: r.name,
  default: r.is_default,
  repeat: r.repeat,
  urgentSeverities: r.urgent_severities as PolicyDefinition['urgentSeverities'],
  steps: r.steps,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export function pagePolicyOf(policy: EscalationPolicyView): PagePolicy {
  return { id: policy.id, repeat: policy.repeat, urgentSeverities: policy.urgentSeverities, steps: policy.steps };
}

const notFound = (id: string) => new AppError('not_found', 'POLICY_NOT_FOUND', `No escalation policy ${id}`);

/**
 * Escalation policies: who a page reaches, step by step. Saving one locks the schedules it
 * names (so a concurrent schedule delete either sees it or happens first), and registers the
 * check that makes deleting such a schedule a 409 SCHEDULE_IN_USE.
 */
@Injectable()
export class EscalationPolicies {
  constructor(
    private readonly db: DataSource,
    private readonly directory: ResponderDirectory,
    private readonly onCall: OnCallDirectory,
    usage: ScheduleUsage,
  ) {
    usage.register('escalation policies', async (scheduleId, tx) => {
      const rows = (await tx.query(`SELECT name FROM escalation_policies WHERE steps @> $1::jsonb ORDER BY name`, [
        JSON.stringify([{ targets: [{ type: 'schedule', scheduleId }] }]),
      ])) as Array<{ name: string }>;
      return rows.map((r) => `escalation policy ${r.name}`);
    });
  }

  async create(body: unknown): Promise<EscalationPolicyView> {
    const policy = this.checked(body);
    return this.db
      .transaction(async (tx) => {
        await this.checkReferences(policy, tx);
        if (policy.default) await this.checkNoOtherDefault(tx, null);
        const [row] = (await tx.query(
          `INSERT INTO escalation_policies (id, name, is_default, repeat, urgent_severities, steps) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *`,
          [
            randomUUID(),
            policy.name,
            policy.default,
            policy.repeat,
            policy.urgentSeverities,
            JSON.stringify(policy.steps),
          ],
        )) as PolicyRow[];
        return view(row);
      })
      .catch(defaultRace);
  }

  async replace(id: string, body: unknown, expectedVersion: number | undefined): Promise<EscalationPolicyView> {
    const policy = this.checked(body);
    return this.db
      .transaction(async (tx) => {
        const current = await this.load(id, tx, true);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new AppError(
            'precondition_failed',
            'VERSION_MISMATCH',
            `The policy is at version ${current.version}, not ${expectedVersion}`,
          );
        }
        await this.checkReferences(policy, tx);
        if (policy.default) await this.checkNoOtherDefault(tx, id);
        const [row] = rowsOf<PolicyRow>(
          await tx.query(
            `UPDATE escalation_policies SET name = $2, is_default = $3, repeat = $4, urgent_severities = $5, steps = $6::jsonb,
             version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
            [id, policy.name, policy.default, policy.repeat, policy.urgentSeverities, JSON.stringify(policy.steps)],
          ),
        );
        return view(row);
      })
      .catch(defaultRace);
  }

  async delete(id: string, expectedVersion: number | undefined): Promise<void> {
    await this.db
      .transaction(async (tx) => {
        const current = await this.load(id, tx, true);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new AppError(
            'precondition_failed',
            'VERSION_MISMATCH',
            `The policy is at version ${current.version}, not ${expectedVersion}`,
          );
        }
        const users = (await tx.query(
          `SELECT name FROM services WHERE escalation_policy_id = $1 ORDER BY name LIMIT 20`,
          [id],
        )) as Array<{ name: string }>;
        if (users.length > 0) throw inUse(users.map((u) => u.name));
        await tx.query(`DELETE FROM escalation_policies WHERE id = $1`, [id]);
      })
      .catch((error: unknown) => {
        // A service saved in between still names it: the foreign key says so.
        if ((error as { code?: string }).code === '23503') throw inUse([]);
        throw error;
      });
  }

  async get(id: string): Promise<EscalationPolicyView> {
    return this.load(id, this.db.manager, false);
  }

  async find(id: string, tx?: EntityManager): Promise<EscalationPolicyView | null> {
    if (!isUuid(id)) return null;
    const [row] = (await (tx ?? this.db.manager).query(`SELECT * FROM escalation_policies WHERE id = $1`, [
      id,
    ])) as PolicyRow[];
    return row ? view(row) : null;
  }

  async findDefault(tx?: EntityManager): Promise<EscalationPolicyView | null> {
    const [row] = (await (tx ?? this.db.manager).query(
      `SELECT * FROM escalation_policies WHERE is_default`,
    )) as PolicyRow[];
    return row ? view(row) : null;
  }

  async list(limit: number, after?: { name: string; id: string }): Promise<EscalationPolicyView[]> {
    const rows = (await this.db.query(
      after
        ? `SELECT * FROM escalation_policies WHERE (name, id) > ($2, $3::uuid) ORDER BY name, id LIMIT $1`
        : `SELECT * FROM escalation_policies ORDER BY name, id LIMIT $1`,
      after ? [limit, after.name, after.id] : [limit],
    )) as PolicyRow[];
    return rows.map(view);
  }

  private checked(body: unknown): PolicyDefinition {
    const result = checkPolicy(body);
    if ('problems' in result) throw invalid(result.problems);
    return result.policy;
  }

  private async load(id: string, tx: EntityManager, lock: boolean): Promise<EscalationPolicyView> {
    if (!isUuid(id)) throw notFound(id);
    const [row] = (await tx.query(`SELECT * FROM escalation_policies WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ])) as PolicyRow[];
    if (!row) throw notFound(id);
    return view(row);
  }

  /** Responders named must be in the directory and schedules must exist (locked until commit). */
  private async checkReferences(policy: PolicyDefinition, tx: EntityManager): Promise<void> {
    const problems: FieldProblem[] = [];
    const schedules: Array<{ id: string; path: string }> = [];
    for (const [i, step] of policy.steps.entries()) {
      for (const [j, target] of step.targets.entries()) {
        const path = `steps[${i}].targets[${j}]`;
        if (target.type === 'responder' && !(await this.directory.find(target.handle))) {
          problems.push({ path: `${path}.handle`, problem: `no responder ${target.handle} in the directory` });
        }
        if (target.type === 'schedule') schedules.push({ id: target.scheduleId, path: `${path}.scheduleId` });
      }
    }
    const missing = new Set(
      await this.onCall.lockSchedules(
        schedules.map((s) => s.id),
        tx,
      ),
    );
    for (const s of schedules) if (missing.has(s.id)) problems.push({ path: s.path, problem: `no schedule ${s.id}` });
    if (problems.length > 0) throw invalid(problems);
  }

  private async checkNoOtherDefault(tx: EntityManager, self: string | null): Promise<void> {
    const [row] = (await tx.query(
      `SELECT id, name FROM escalation_policies WHERE is_default AND id IS DISTINCT FROM $1`,
      [self],
    )) as Array<{ id: string; name: string }>;
    if (row) throw defaultExists(row.name);
  }
}

function inUse(services: string[]): AppError {
  return new AppError(
    'conflict',
    'POLICY_IN_USE',
    services.length > 0 ? `Services still use this policy: ${services.join(', ')}` : 'A service still uses this policy',
  );
}

function defaultExists(name?: string): AppError {
  return new AppError(
    'conflict',
    'DEFAULT_POLICY_EXISTS',
    `Only one policy may be the default${name ? `; ${name} is` : ''}`,
    [{ path: 'default', problem: 'another policy is the default' }],
  );
}

/** Two writers both made a default: the partial unique index let only one through. */
function defaultRace(error: unknown): never {
  const e = error as { code?: string; constraint?: string; driverError?: { constraint?: string } };
  if (e.code === '23505' && (e.constraint ?? e.driverError?.constraint) === 'escalation_policies_one_default')
    throw defaultExists();
  throw error;
}
