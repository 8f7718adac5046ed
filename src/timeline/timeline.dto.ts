import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_SEQ } from './timeline.reader';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Query strings are text: a whole number (signed, so "-1" fails on its range) becomes a number. */
const wholeNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d{1,12}$/.test(value) ? Number(value) : value;

export class TimelineQuery {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Return entries with a greater seq (the last seq you have)',
    minimum: 0,
    default: 0,
  })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  after?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

export class TimelineEntryDto {
  @ApiProperty({ example: 7, description: 'Per-incident, gapless, strictly increasing, from 1' })
  seq!: number;

  @ApiProperty({ format: 'uuid' })
  incidentId!: string;

  @ApiProperty({ example: 'note.added' })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ example: 'alice', description: 'A responder handle, a token name, or system' })
  actor!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { text: 'Failing over to db-2' } })
  data!: Record<string, unknown>;
}

export class TimelinePageDto {
  @ApiProperty({ type: [TimelineEntryDto] })
  items!: TimelineEntryDto[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description:
      'The seq of the last item when more entries existed when the page was read: pass it as `after` for the next page. ' +
      'null when this page reached the end; to poll for newer entries pass the last seq you have (or use the socket.io feed).',
  })
  nextAfter!: number | null;
}
