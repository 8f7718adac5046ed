import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../platform/auth/auth.guard';
import { CalendarFeeds, FEED_PATH } from '../calendar/calendar-feeds';
import { OnCallDirectory } from '../on-call/on-call-directory';

@ApiTags('on-call')
@ApiBearerAuth()
@Controller('api/v1/on-call')
export class OnCallController {
  constructor(private readonly onCall: OnCallDirectory) {}

  @Get()
  async now() {
    return { items: await this.onCall.onCallNow(Date.now()) };
  }
}

/** The iCalendar feed: public, because the URL itself is the credential. */
@ApiTags('on-call')
@Controller(FEED_PATH)
export class CalendarFeedController {
  constructor(private readonly feeds: CalendarFeeds) {}

  @Get(':file')
  @Public()
  @ApiExcludeEndpoint()
  async feed(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const body = await this.feeds.render(file, Date.now());
    void reply.headers({
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="on-call.ics"',
      'cache-control': 'private, max-age=300',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    return body;
  }
}
