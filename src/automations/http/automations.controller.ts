import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../platform/auth/auth.guard';
import { IfMatch } from '../../platform/http/if-match';
import { Automations, AutomationView } from '../automations';

const ifMatchHeader = { name: 'If-Match', required: false, description: 'Expected version, as returned in ETag' };

function withEtag<T extends AutomationView>(reply: FastifyReply, view: T): T {
  void reply.header('ETag', `"${view.version}"`);
  return view;
}

@ApiTags('automations')
@ApiBearerAuth()
@Controller('api/v1/automations')
export class AutomationsController {
  constructor(private readonly automations: Automations) {}

  /** The 201 is the only place the webhook signing secret is ever shown. */
  @Post()
  @RequireRole('admin')
  async create(@Body() body: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.automations.create(body));
  }

  @Get()
  async list() {
    return { items: await this.automations.list() };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.automations.get(id));
  }

  @Put(':id')
  @RequireRole('admin')
  @ApiHeader(ifMatchHeader)
  async replace(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.automations.replace(id, body, version));
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiHeader(ifMatchHeader)
  async delete(@Param('id') id: string, @IfMatch() version: number | undefined): Promise<void> {
    await this.automations.delete(id, version);
  }
}
