import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Actor, RequireRole } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import { MaintenanceWindows, pageLimit } from './maintenance-windows';

const WINDOW_BODY = {
  type: 'object',
  required: ['services', 'start', 'end', 'reason'],
  properties: {
    services: { type: 'array', items: { type: 'string', example: 'search' }, minItems: 1, maxItems: 50 },
    start: { type: 'string', format: 'date-time', example: '2030-03-14T02:00:00+01:00' },
    end: { type: 'string', format: 'date-time', example: '2030-03-14T04:00:00+01:00' },
    reason: { type: 'string', maxLength: 2000, example: 'Elasticsearch reindex' },
  },
};

function activeFilter(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new AppError('invalid', 'VALIDATION_FAILED', 'active: must be true or false', [
    { path: 'active', problem: 'must be true or false' },
  ]);
}

/** Planned work that must not page anyone: alerts of the services are held, not declared. */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/v1/maintenance-windows')
export class MaintenanceWindowsController {
  constructor(private readonly windows: MaintenanceWindows) {}

  @Post()
  @RequireRole('responder')
  @ApiBody({ schema: WINDOW_BODY })
  create(@Body() body: unknown, @Actor() actor: string) {
    return this.windows.create(body, actor);
  }

  @Get()
  @ApiQuery({ name: 'active', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  list(@Query('active') active?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.windows.list(activeFilter(active), pageLimit(limit), cursor);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.windows.get(id);
  }

  /** Ends it now; its held alerts still firing are handed back at once (204, also when already over). */
  @Delete(':id')
  @RequireRole('responder')
  @HttpCode(204)
  async end(@Param('id') id: string, @Actor() actor: string): Promise<void> {
    await this.windows.end(id, actor);
  }

  @Get(':id/alerts')
  alerts(@Param('id') id: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.windows.heldAlerts(id, pageLimit(limit), cursor);
  }
}
