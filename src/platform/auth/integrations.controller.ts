import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags, OpenAPIObject } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { RequireRole } from './auth.guard';
import { IntegrationService } from './integration.service';

export class CreateIntegrationDto {
  /** Checked against IntegrationTypes by the service; the API document lists the registered ones. */
  @ApiProperty({ example: 'alertmanager', description: 'An integration type registered by an alert source' })
  @IsString()
  @Length(1, 64)
  type!: string;

  @ApiProperty({ example: 'prod-eu-1 alertmanager', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({
    example: 'checkout-api',
    maxLength: 100,
    description: 'Service that incidents from this source belong to',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  service?: string;
}

/** Lists the registered types in the API document; the DTO cannot, they are known only once the app is built. */
export function documentIntegrationTypes(document: OpenAPIObject, types: string[]): void {
  const schema = document.components?.schemas?.[CreateIntegrationDto.name];
  const property = schema && 'properties' in schema ? schema.properties?.type : undefined;
  if (property && !('$ref' in property)) property.enum = types;
}

@ApiTags('auth')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationService) {}

  /** `key` (and `secret`, for types that sign their deliveries) appear in this response only. */
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
