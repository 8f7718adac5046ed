import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { ACTION_ITEM_STATUSES, ACTION_ITEM_TITLE_MAX, HANDLE_MAX } from '../../incidents';
import type { ActionItemStatus } from '../../incidents';
import { TAG, TAG_PROBLEM, TAGS_MAX } from '../domain/action-item-rules';

const HANDLE = /^[^\s\p{Cc}]+$/u;
const DATE_MESSAGE = 'dueDate must be a calendar date YYYY-MM-DD';

export class CreateActionItemDto {
  @ApiProperty({ example: 'Rotate the CI deploy key', maxLength: ACTION_ITEM_TITLE_MAX })
  @IsString()
  @Length(1, ACTION_ITEM_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ example: 'dave', description: 'a responder handle' })
  @IsOptional()
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: 'owner must be a responder handle (no spaces or control characters)' })
  owner?: string;

  @ApiPropertyOptional({ example: '2026-12-18' })
  @IsOptional()
  @IsString({ message: DATE_MESSAGE })
  @Matches(/^(?!0000)\d{4}-\d{2}-\d{2}$/, { message: DATE_MESSAGE })
  dueDate?: string;

  @ApiPropertyOptional({ description: 'the incident this item follows up; omit for a standalone item' })
  @IsOptional()
  @IsUUID('all', { message: 'incidentId must be an incident id (a UUID)' })
  incidentId?: string;

  @ApiPropertyOptional({ example: ['security-roundup-2026-12'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TAGS_MAX)
  @IsString({ each: true })
  @Matches(TAG, { each: true, message: `each tag ${TAG_PROBLEM}` })
  tags?: string[];
}

export class UpdateFollowupItemDto {
  @ApiPropertyOptional({ maxLength: ACTION_ITEM_TITLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, ACTION_ITEM_TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ nullable: true, description: 'null removes the owner' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(1, HANDLE_MAX)
  @Matches(HANDLE, { message: 'owner must be a responder handle (no spaces or control characters)' })
  owner?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'null removes the due date' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString({ message: DATE_MESSAGE })
  @Matches(/^(?!0000)\d{4}-\d{2}-\d{2}$/, { message: DATE_MESSAGE })
  dueDate?: string | null;

  @ApiPropertyOptional({ enum: ACTION_ITEM_STATUSES })
  @IsOptional()
  @IsIn(ACTION_ITEM_STATUSES)
  status?: ActionItemStatus;

  @ApiPropertyOptional({ type: [String], description: 'replaces the tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TAGS_MAX)
  @IsString({ each: true })
  @Matches(TAG, { each: true, message: `each tag ${TAG_PROBLEM}` })
  tags?: string[];
}

const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListActionItemsQuery {
  @ApiPropertyOptional({ example: 'dave' })
  @IsOptional()
  @IsString()
  @Length(1, HANDLE_MAX)
  owner?: string;

  @ApiPropertyOptional({ enum: ACTION_ITEM_STATUSES })
  @IsOptional()
  @IsIn(ACTION_ITEM_STATUSES)
  status?: ActionItemStatus;

  @ApiPropertyOptional({ description: 'true: open with dueDate before today (UTC)' })
  @IsOptional()
  @Transform(bool)
  @IsIn([true, false], { message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ example: 'security-roundup-2026-12' })
  @IsOptional()
  @IsString()
  @Matches(TAG, { message: `tag ${TAG_PROBLEM}` })
  tag?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'incidentId must be an incident id (a UUID)' })
  incidentId?: string;

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
