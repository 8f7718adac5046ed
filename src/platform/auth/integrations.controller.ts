import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { RequireRole } from './auth.guard';
import { INTEGRATION_TYPES, IntegrationService, IntegrationType } from './integration.service';

export class CreateIntegrationDto {
  @ApiProperty({ enum: INTEGRATION_TYPES, example: 'alertmanager' })
  @IsIn(INTEGRATION_TYPES)
  type!: IntegrationType;

  @ApiProperty({ example: 'prod-eu-1 alertmanager', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({ example: 'checkout-api', maxLength: 100, description: 'Service that incidents from this source belong to' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  service?: string;
}

@ApiTags('auth')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationService) {}

  /** `key` (and `secret` for pagerduty-webhook) appear in this response only. */
  @Post()
  create(@Body() body: CreateIntegrationDto) {
    return this.integrations.create({ type: body.type, name: body.name.trim(), service: body.service?.trim() ?? null });
  }

  @Get()
  async list() {
    return { items: await this.integrations.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new ParseUUIDPipe()) id: string) {
    await this.integrations.remove(id);
  }
}
