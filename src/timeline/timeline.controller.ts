import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, TimelinePageDto, TimelineQuery } from './timeline.dto';
import { TimelinePage, TimelineReader } from './timeline.reader';

@ApiTags('timeline')
@ApiBearerAuth()
@Controller('api/v1/incidents')
export class TimelineController {
  constructor(private readonly reader: TimelineReader) {}

  /** The incident's timeline in seq order, a page at a time (viewer role is enough). */
  @Get(':id/timeline')
  @ApiParam({ name: 'id', description: 'Incident id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ type: TimelinePageDto })
  timeline(@Param('id') id: string, @Query() query: TimelineQuery): Promise<TimelinePage> {
    return this.reader.page(id, query.after ?? 0, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
