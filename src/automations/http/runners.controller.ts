import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { bearerToken, Public, RequireRole } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';
import { AutomationEngine, MAX_LEASE_MS, MIN_LEASE_MS } from '../automation-engine';
import { invalid } from '../automations';
import { OUTPUT_LIMIT } from '../domain';
import { Runners } from '../runners';

const DEFAULT_LEASE_MS = 30_000;

/** Text PostgreSQL can store: NULs dropped, lone surrogates replaced. */
function storableText(text: string): string {
  return text
    .replaceAll('\u0000', '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

@ApiTags('automations')
@ApiBearerAuth()
@Controller('api/v1/runners')
export class RunnersController {
  constructor(private readonly runners: Runners) {}

  /** The token is in this 201 only; it is stored as its SHA-256. */
  @Post()
  @RequireRole('admin')
  create(@Body() body: Record<string, unknown>) {
    return this.runners.create(body);
  }

  @Get()
  @RequireRole('admin')
  async list() {
    return { items: await this.runners.list() };
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.runners.revoke(id);
  }
}

type RunnerRequest = { headers: Record<string, string | undefined> };

function leaseOf(body: Record<string, unknown> | undefined): number {
  const seconds = body?.leaseSeconds;
  if (seconds === undefined) return DEFAULT_LEASE_MS;
  if (
    typeof seconds !== 'number' ||
    !Number.isFinite(seconds) ||
    seconds * 1000 < MIN_LEASE_MS ||
    seconds * 1000 > MAX_LEASE_MS
  )
    throw invalid([{ path: 'leaseSeconds', problem: `must be from ${MIN_LEASE_MS / 1000} to ${MAX_LEASE_MS / 1000}` }]);
  return Math.round(seconds * 1000);
}

/**
 * What a runner calls with its own token (not an API token): claim a run, keep its lease,
 * report its result. The claim carries a script name and arguments, never a command line.
 */
@ApiTags('automations')
@Public()
@Controller('api/v1/runner')
export class RunnerApiController {
  constructor(
    private readonly runners: Runners,
    private readonly engine: AutomationEngine,
  ) {}

  /** 200 with a run, 204 when none is queued (the runner polls again). */
  @Post('claim')
  @HttpCode(200)
  async claim(
    @Req() request: RunnerRequest,
    @Body() body: Record<string, unknown> | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const runner = await this.runners.authenticate(bearerToken(request.headers.authorization));
    const leaseMs = leaseOf(body);
    const claimed = await this.engine.claim('runner', leaseMs, runner.id);
    if (!claimed) {
      void reply.status(204);
      return undefined;
    }
    const { run, automation } = claimed;
    if (run.request.type !== 'runner') throw new Error('a runner claimed a non-runner run');
    return {
      run: { id: run.id, automationId: automation.id, automation: automation.name, incidentId: run.incident_id },
      script: run.request.script,
      args: run.request.args,
      timeout: run.request.timeout,
      leaseSeconds: leaseMs / 1000,
    };
  }

  @Post('runs/:runId/heartbeat')
  @HttpCode(204)
  async heartbeat(
    @Req() request: RunnerRequest,
    @Param('runId') runId: string,
    @Body() body: Record<string, unknown> | undefined,
  ) {
    const runner = await this.runners.authenticate(bearerToken(request.headers.authorization));
    if (!isUuid(runId) || !(await this.engine.heartbeat(runId, runner.id, leaseOf(body))))
      throw new AppError(
        'conflict',
        'RUN_NOT_HELD',
        'This runner does not hold that run (its lease lapsed or it ended)',
      );
  }

  @Post('runs/:runId/result')
  @HttpCode(204)
  async result(
    @Req() request: RunnerRequest,
    @Param('runId') runId: string,
    @Body() body: Record<string, unknown> | undefined,
  ) {
    const runner = await this.runners.authenticate(bearerToken(request.headers.authorization));
    const exitCode = body?.exitCode ?? null;
    const output = body?.output ?? '';
    const error = body?.error ?? null;
    const problems = [];
    if (
      exitCode !== null &&
      (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
    )
      problems.push({ path: 'exitCode', problem: 'must be a whole number from 0 to 255, or null' });
    if (typeof output !== 'string' || output.length > OUTPUT_LIMIT * 2)
      problems.push({ path: 'output', problem: 'must be text up to 64 KiB' });
    if (error !== null && (typeof error !== 'string' || error.length > 1000))
      problems.push({ path: 'error', problem: 'must be text up to 1000 characters' });
    if (problems.length > 0) throw invalid(problems);
    const ok = exitCode === 0 && error === null;
    const reason =
      (error as string | null) ?? (exitCode === null ? 'the script did not exit' : `exit code ${exitCode}`);
    // Text PostgreSQL can store: no NUL, no lone surrogate.
    const text = storableText(output as string);
    if (
      !isUuid(runId) ||
      !(await this.engine.finish(
        runId,
        { ok, result: { exitCode: exitCode as number | null, output: text }, reason },
        runner.id,
      ))
    )
      throw new AppError(
        'conflict',
        'RUN_NOT_HELD',
        'This runner does not hold that run (its lease lapsed or it ended)',
      );
  }
}
