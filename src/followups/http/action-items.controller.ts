import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { GetIncident, IncidentView } from '../../incidents';
import { Actor, RequireRole } from '../../platform/auth/auth.guard';
import { ActionItems } from '../action-items.service';
import { DailyDigest } from '../daily-digest';
import { CadenceFacts, durationMs } from '../domain/cadence';
import { readCadence } from '../persistence/cadence.store';
import { CreateActionItemDto, ListActionItemsQuery, UpdateFollowupItemDto } from './action-item.dto';
import { IfMatch } from '../../platform/http/if-match';

@ApiTags('follow-through')
@ApiBearerAuth()
@Controller('api/v1/action-items')
export class ActionItemsController {
  constructor(
    private readonly items: ActionItems,
    private readonly digest: DailyDigest,
  ) {}

  @Post()
  @RequireRole('responder')
  create(@Body() body: CreateActionItemDto, @Actor() actor: string) {
    return this.items.create(body, actor);
  }

  @Get()
  list(@Query() query: ListActionItemsQuery) {
    return this.items.list(query);
  }

  /** Today's digest now; an owner who had today's already gets nothing more. */
  @Post('reminders')
  @RequireRole('admin')
  @HttpCode(202)
  reminders() {
    return this.digest.sendToday();
  }

  @Patch(':id')
  @RequireRole('responder')
  @ApiHeader({ name: 'If-Match', required: false, description: 'the action item\'s version, as "<version>"' })
  update(@Param('id') id: string, @Body() body: UpdateFollowupItemDto, @Actor() actor: string, @IfMatch() version: number | undefined) {
    return this.items.update(id, body, actor, version);
  }
}

/** When an incident owes stakeholders its next update (the incident page shows it). */
@ApiTags('follow-through')
@ApiBearerAuth()
@Controller('api/v1/incidents')
export class UpdateCadenceController {
  constructor(
    private readonly queries: QueryBus,
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':id/update-cadence')
  async cadence(@Param('id') id: string) {
    const incident: IncidentView = await this.queries.execute(new GetIncident(id));
    const facts: CadenceFacts | undefined = await readCadence(this.db, incident.id);
    const cadence = (this.config.updateCadence as Partial<Record<string, string>>)[incident.severity] ?? null;
    const ms = cadence ? durationMs(cadence) : null;
    const since = latest(facts?.since, incident.lastStatusUpdateAt ?? incident.createdAt);
    const due = incident.status !== 'resolved' && ms !== null ? new Date(Date.parse(since) + ms).toISOString() : null;
    return {
      incidentId: incident.id,
      cadence,
      lastStatusUpdateAt: incident.lastStatusUpdateAt,
      since,
      nextUpdateDueAt: due,
      overdue: due !== null && Date.parse(due) <= Date.now(),
    };
  }
}

function latest(a: string | undefined, b: string): string {
  return a && Date.parse(a) > Date.parse(b) ? new Date(a).toISOString() : new Date(b).toISOString();
}
