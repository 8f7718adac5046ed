import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { GetIncidentAlerts } from './get-incident-alerts.query';

/** The alerts attached to an incident: served by the module that owns alerts. */
@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/v1/incidents')
export class IncidentAlertsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/alerts')
  alerts(@Param('id') id: string) {
    return this.queries.execute(new GetIncidentAlerts(id));
  }
}
