import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, RequireRole } from '../../platform/auth/auth.guard';
import { parseInstant } from '../domain';
import { CalendarFeeds } from '../calendar/calendar-feeds';
import { OnCallDirectory } from '../on-call/on-call-directory';
import { ScheduleStore, type ScheduleView } from '../persistence/schedule.store';
import { ScheduleService } from '../schedules/schedule.service';
import { IfMatch, throwIfAny } from './problems';
import { AtQuery, OverrideDto, OverrideListQuery, PageQuery, RangeQuery, ScheduleDto } from './schedule.dto';
import { decodePosition, encodePosition, invalidCursor } from './position';

const DAY_MS = 86_400_000;
const ifMatchHeader = { name: 'If-Match', required: false, description: 'Expected version, as returned in ETag' };

function withEtag(reply: FastifyReply, schedule: ScheduleView): ScheduleView {
  void reply.header('ETag', `"${schedule.version}"`);
  return schedule;
}

/** An instant from the query, or the default; a bad one is a 400 naming the parameter. */
function instantParam(value: string | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parseInstant(value, path);
  if (typeof parsed !== 'number') throwIfAny([parsed]);
  return parsed as number;
}

@ApiTags('on-call')
@ApiBearerAuth()
@Controller('api/v1/schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: ScheduleService,
    private readonly store: ScheduleStore,
    private readonly onCall: OnCallDirectory,
    private readonly feeds: CalendarFeeds,
  ) {}

  @Post()
  @RequireRole('admin')
  async create(@Body() body: ScheduleDto, @Actor() actor: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.schedules.create(body, actor));
  }

  @Get()
  async list(@Query() query: PageQuery) {
    const limit = query.limit ?? 100;
    const after = query.cursor ? decodePosition(query.cursor) : undefined;
    const items = await this.store.list(limit + 1, after && { name: after.key, id: after.id });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? encodePosition({ key: last.name, id: last.id }) : null,
    };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.schedules.get(id));
  }

  /** Every version, newest first: what the schedule said, from when, and who changed it. */
  @Get(':id/versions')
  async versions(@Param('id') id: string, @Query() query: PageQuery) {
    await this.schedules.get(id);
    const limit = query.limit ?? 100;
    const before = query.cursor ? decodePosition(query.cursor) : undefined;
    const beforeVersion = before ? Number(before.key) : undefined;
    if (beforeVersion !== undefined && !Number.isInteger(beforeVersion)) throw invalidCursor();
    const items = await this.store.versions(id, limit + 1, beforeVersion);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? encodePosition({ key: String(last.version), id }) : null,
    };
  }

  @Put(':id')
  @RequireRole('admin')
  @ApiHeader(ifMatchHeader)
  async replace(
    @Param('id') id: string,
    @Body() body: ScheduleDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.schedules.replace(id, body, actor, version));
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiHeader(ifMatchHeader)
  async remove(@Param('id') id: string, @IfMatch() version: number | undefined): Promise<void> {
    await this.schedules.remove(id, version);
  }

  @Post(':id/overrides')
  @RequireRole('responder')
  addOverride(@Param('id') id: string, @Body() body: OverrideDto, @Actor() actor: string) {
    return this.schedules.addOverride(id, body, actor);
  }

  @Get(':id/overrides')
  async listOverrides(@Param('id') id: string, @Query() query: OverrideListQuery) {
    await this.schedules.get(id);
    const from = query.from === undefined ? undefined : instantParam(query.from, 'from', 0);
    const to = query.to === undefined ? undefined : instantParam(query.to, 'to', 0);
    const limit = query.limit ?? 100;
    const after = query.cursor ? decodePosition(query.cursor) : undefined;
    const items = await this.store.listOverrides(
      id,
      { from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) },
      limit + 1,
      after && { start: after.key, id: after.id },
    );
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? encodePosition({ key: last.start, id: last.id }) : null,
    };
  }

  @Delete(':id/overrides/:overrideId')
  @RequireRole('responder')
  @HttpCode(204)
  async removeOverride(@Param('id') id: string, @Param('overrideId') overrideId: string): Promise<void> {
    await this.schedules.removeOverride(id, overrideId);
  }

  @Get(':id/shifts')
  async shifts(@Param('id') id: string, @Query() query: RangeQuery) {
    const from = instantParam(query.from, 'from', Date.now());
    const to = instantParam(query.to, 'to', from + 14 * DAY_MS);
    return { items: await this.onCall.shifts(id, from, to) };
  }

  @Get(':id/on-call')
  onCallAt(@Param('id') id: string, @Query() query: AtQuery) {
    return this.onCall.onCallAt(id, instantParam(query.at, 'at', Date.now()));
  }

  @Post(':id/calendar')
  @RequireRole('admin')
  async calendar(@Param('id') id: string, @Actor() actor: string) {
    await this.schedules.get(id);
    return this.feeds.issue(id, actor);
  }
}
