import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import {
  ACTION_ITEM_STATUSES,
  ACTION_ITEM_TITLE_MAX,
  HANDLE_MAX,
  NOTE_MAX,
  SERVICE_MAX,
  SEVERITIES,
  STATUSES,
  SUMMARY_MAX,
  TITLE_MAX,
} from '../domain';
import type { ActionItemStatus, IncidentStatus, Severity } from '../domain';

const HANDLE = /^[^\s\p{Cc}]+$/u;
const HANDLE_MESSAGE = 'must be a responder handle (no spaces or control characters)';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class DeclareIncidentDto {
  @ApiProperty({ example: 'Checkout 5xx above 5% in prod-eu-1', maxLength: TITLE_MAX })
  @IsString()
  @Length(1, TITLE_MAX)
  title!: string;

  @ApiProperty({ enum: SEVERITIES, example: 'SEV2' })
  @IsIn(SEVERITIES)
  severity!: Severity;

  @ApiPropertyOptional({ example: 'Error ratio on /api/checkout rose after the 14:02 deploy.', maxLength: SUMMARY_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(SUMMARY_MAX)
  summary?: string;

  @ApiPropertyOptional({ example: 'checkout-api', maxLength: SERVICE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, SERVICE_MAX)
  service?: string;

  @ApiPropertyOptional({ example: 'alice', maxLength: HANDLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: `commander ${HANDLE_MESSAGE}` })
  commander?: string;
}

export class UpdateIncidentDto {
  @ApiPropertyOptional({ example: 'Checkout 5xx: bad config in deploy 4711', maxLength: TITLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ example: 'Rolled back; error ratio back to baseline.', maxLength: SUMMARY_MAX, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(SUMMARY_MAX)
  summary?: string | null;

  @ApiPropertyOptional({ enum: SEVERITIES, example: 'SEV1' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;
}

export class TransitionDto {
  @ApiPropertyOptional({ example: 'Rolled back deploy 4711', maxLength: NOTE_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(NOTE_MAX)
  note?: string;
}

export class AssignRoleDto {
  @ApiProperty({ example: 'bob', maxLength: HANDLE_MAX })
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: `assignee ${HANDLE_MESSAGE}` })
  assignee!: string;
}

export class AddNoteDto {
  @ApiProperty({ example: 'Replica db-2 lag at 40 s; failing over.', maxLength: NOTE_MAX })
  @IsString()
  @Length(1, NOTE_MAX)
  text!: string;

  @ApiPropertyOptional({ example: true, default: false })
  @IsOptional()
  @IsBoolean()
  pinned?: boolean;
}

export class PostStatusUpdateDto {
  @ApiProperty({ example: 'Search is degraded in eu-west; a reindex is running, next update in 30 minutes.', maxLength: 10_000 })
  @IsString()
  @Length(1, 10_000)
  text!: string;
}

export class AddActionItemDto {
  @ApiProperty({ example: 'Alert on replica lag before it reaches 30 s', maxLength: ACTION_ITEM_TITLE_MAX })
  @IsString()
  @Length(1, ACTION_ITEM_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ example: 'carol', maxLength: HANDLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: `owner ${HANDLE_MESSAGE}` })
  owner?: string;

  @ApiPropertyOptional({ example: '2026-12-15', description: 'YYYY-MM-DD' })
  @IsOptional()
  @Matches(DATE, { message: 'dueDate must be a date as YYYY-MM-DD' })
  dueDate?: string;
}

export class UpdateActionItemDto {
  @ApiPropertyOptional({ example: 'Alert on replica lag above 20 s', maxLength: ACTION_ITEM_TITLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, ACTION_ITEM_TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ example: 'dave', nullable: true, description: 'null removes the owner' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: `owner ${HANDLE_MESSAGE}` })
  owner?: string | null;

  @ApiPropertyOptional({ example: '2026-12-20', nullable: true, description: 'YYYY-MM-DD; null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE, { message: 'dueDate must be a date as YYYY-MM-DD' })
  dueDate?: string | null;

  @ApiPropertyOptional({ enum: ACTION_ITEM_STATUSES, example: 'done' })
  @IsOptional()
  @IsIn(ACTION_ITEM_STATUSES)
  status?: ActionItemStatus;
}

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;

export class ListIncidentsQuery {
  @ApiPropertyOptional({ description: 'Comma list', example: 'triggered,acknowledged' })
  @IsOptional()
  @Transform(list)
  @IsIn(STATUSES, { each: true })
  status?: IncidentStatus[];

  @ApiPropertyOptional({ description: 'Comma list', example: 'SEV1,SEV2' })
  @IsOptional()
  @Transform(list)
  @IsIn(SEVERITIES, { each: true })
  severity?: Severity[];

  @ApiPropertyOptional({ example: 'checkout-api' })
  @IsOptional()
  @IsString()
  @Length(1, SERVICE_MAX)
  service?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
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
