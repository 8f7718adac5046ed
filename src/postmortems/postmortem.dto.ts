import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { isValidDueDate } from '../incidents/domain';
import { SECTION_INFO, SECTION_MAX } from './postmortem-draft';

const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d|60)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d))?$/;

/**
 * An ISO 8601 calendar date (`2026-03-01`, a UTC day) or date-time with an offset
 * (`2026-03-01T10:00:00Z`). Returns epoch milliseconds; a bare date as `to` means the end of
 * that day (the next midnight), so `from=2026-03-01&to=2026-03-07` covers seven whole days.
 */
export function parseIsoBound(value: string, end: boolean): number | null {
  const match = ISO.exec(value);
  if (!match || !isValidDueDate(match[1])) return null;
  const ms = Date.parse(match[2] === undefined ? `${match[1]}T00:00:00Z` : value);
  if (Number.isNaN(ms)) return null;
  return match[2] === undefined && end ? ms + 86_400_000 : ms;
}

function IsIsoDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDate',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an ISO 8601 date (2026-03-01) or date-time with an offset (2026-03-01T10:00:00Z)`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseIsoBound(value, false) !== null },
    });
}

const section = (name: keyof typeof SECTION_INFO) => ({
  type: String,
  description: `${SECTION_INFO[name].title}: ${SECTION_INFO[name].placeholder} null or blank clears it.`,
  maxLength: SECTION_MAX,
  nullable: true,
});

/** Only the names below are accepted; any other is a 400 naming it. */
export class PostmortemSectionsDto {
  @ApiPropertyOptional(section('summary'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  summary?: string | null;

  @ApiPropertyOptional(section('impact'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  impact?: string | null;

  @ApiPropertyOptional(section('rootCause'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  rootCause?: string | null;

  @ApiPropertyOptional(section('contributingFactors'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  contributingFactors?: string | null;

  @ApiPropertyOptional(section('whatWentWell'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  whatWentWell?: string | null;

  @ApiPropertyOptional(section('whatWentBadly'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  whatWentBadly?: string | null;

  @ApiPropertyOptional(section('lessonsLearned'))
  @IsOptional()
  @IsString()
  @MaxLength(SECTION_MAX)
  lessonsLearned?: string | null;
}

export class SavePostmortemDto {
  @ApiProperty({ type: PostmortemSectionsDto, example: { rootCause: 'Deploy 4711 shipped a connection pool of 2.' } })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PostmortemSectionsDto)
  sections!: PostmortemSectionsDto;
}

export class ListPostmortemsQuery {
  @ApiPropertyOptional({ description: 'Incidents declared at or after (ISO date or date-time)', example: '2026-03-01' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({
    description: 'Incidents declared before (a bare date includes that whole day)',
    example: '2026-03-07',
  })
  @IsOptional()
  @IsIsoDate()
  to?: string;

  @ApiPropertyOptional({ example: 'checkout' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  service?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
