import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { DAY_NAMES, type DayName } from '../domain';

/*
 * Request shapes. class-validator checks types and unknown fields here; what the values mean
 * (a real zone, a duration we take, a local time, a day name) is the domain's check, which
 * names the same paths (`layers[0].rotation`).
 */

export class RestrictionDto {
  @ApiProperty({
    enum: DAY_NAMES,
    isArray: true,
    example: ['mon', 'tue', 'wed', 'thu', 'fri'],
    description: 'The days a window starts on',
  })
  @IsArray()
  @IsString({ each: true })
  days!: DayName[];

  @ApiProperty({ example: '09:00', description: 'Local HH:MM' })
  @IsString()
  from!: string;

  @ApiProperty({ example: '17:00', description: 'Local HH:MM; from ≥ to runs past midnight into the next day' })
  @IsString()
  to!: string;
}

export class LayerDto {
  @ApiProperty({ example: 'primary', maxLength: 100 })
  @IsString()
  name!: string;

  @ApiProperty({ example: ['alice', 'bob', 'carol'], description: 'Responder handles, taking turns in this order' })
  @IsArray()
  @IsString({ each: true })
  members!: string[];

  @ApiProperty({
    example: '2026-12-07T09:00',
    description: 'Local YYYY-MM-DDTHH:MM in the schedule’s time zone: the first handoff',
  })
  @IsString()
  start!: string;

  @ApiProperty({ example: 'P1W', description: 'PT…H: elapsed hours; P…D / P…W: the same local wall-clock time' })
  @IsString()
  rotation!: string;

  @ApiPropertyOptional({ type: [RestrictionDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RestrictionDto)
  restrictions?: RestrictionDto[];
}

export class ScheduleDto {
  @ApiProperty({ example: 'Platform primary', maxLength: 200 })
  @IsString()
  name!: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone' })
  @IsString()
  timeZone!: string;

  @ApiProperty({ type: [LayerDto], description: 'A later layer wins wherever it has somebody' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LayerDto)
  layers!: LayerDto[];

  @ApiPropertyOptional({ default: false, description: 'Tell each person when their shift starts (Slack DM or email)' })
  @IsOptional()
  @IsBoolean()
  notifyShiftStart?: boolean;
}

export class OverrideDto {
  @ApiProperty({ example: 'dave', description: 'A responder handle' })
  @IsString()
  handle!: string;

  @ApiProperty({ example: '2026-12-08T18:00:00+01:00', description: 'RFC 3339 with an offset' })
  @IsString()
  start!: string;

  @ApiProperty({
    example: '2026-12-09T08:00:00+01:00',
    description: 'RFC 3339 with an offset; after start and after now',
  })
  @IsString()
  end!: string;
}

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class RangeQuery {
  @ApiPropertyOptional({ example: '2026-12-07T00:00:00Z', description: 'RFC 3339; default now' })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-12-21T00:00:00Z',
    description: 'RFC 3339; default from + 14 days; at most 93 days after from',
  })
  @IsOptional()
  @IsString()
  to?: string;
}

export class OverrideListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2026-12-07T00:00:00Z', description: 'RFC 3339: overrides ending after' })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-21T00:00:00Z', description: 'RFC 3339: overrides starting before' })
  @IsOptional()
  @IsString()
  to?: string;
}

export class AtQuery {
  @ApiPropertyOptional({ example: '2026-12-08T03:21:00+01:00', description: 'RFC 3339; default now' })
  @IsOptional()
  @IsString()
  at?: string;
}
