import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { GetIncident } from '../../incidents';
import { Actor, RequireRole } from '../../platform/auth/auth.guard';
import { isUuid } from '../../platform/http/uuid';
import { AutomationEngine } from '../automation-engine';
import { invalid } from '../automations';

@ApiTags('automations')
@ApiBearerAuth()
@Controller('api/v1/incidents/:id/automation-runs')
export class AutomationRunsController {
  constructor(
    private readonly engine: AutomationEngine,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  async list(@Param('id') incidentId: string) {
    await this.queries.execute(new GetIncident(incidentId));
    return { items: await this.engine.runsOf(incidentId) };
  }

  /** A responder's Run (suggest mode's button): 202, the run is queued. */
  @Post()
  @RequireRole('responder')
  @HttpCode(202)
  async run(
    @Param('id') incidentId: string,
    @Body() body: Record<string, unknown> | undefined,
    @Actor() actor: string,
  ) {
    const automationId = body?.automationId;
    if (typeof automationId !== 'string' || !isUuid(automationId))
      throw invalid([{ path: 'automationId', problem: 'must be the id of an automation' }]);
    await this.queries.execute(new GetIncident(incidentId));
    return this.engine.requestRun(incidentId, automationId, actor);
  }
}
