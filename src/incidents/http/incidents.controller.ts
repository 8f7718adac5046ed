import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../platform/http/app-error';
import { Actor, RequireRole } from '../../platform/auth/auth.guard';
import { AddActionItem } from '../commands/add-action-item/add-action-item.command';
import { UpdateActionItem } from '../commands/update-action-item/update-action-item.command';
import { AddNote } from '../commands/add-note/add-note.command';
import { PostStatusUpdate } from '../commands/post-status-update/post-status-update.command';
import { AssignRole } from '../commands/assign-role/assign-role.command';
import { UnassignRole } from '../commands/unassign-role/unassign-role.command';
import { DeclareIncident } from '../commands/declare-incident/declare-incident.command';
import { Transition, TransitionIncident, TRANSITIONS } from '../commands/transition-incident/transition-incident.command';
import { UpdateIncident } from '../commands/update-incident/update-incident.command';
import { isRole, Role, ROLES } from '../domain';
import { IncidentView } from '../incident-views';
import { GetIncident, ListIncidents } from '../queries/incident-queries';
import {
  AddActionItemDto,
  AddNoteDto,
  PostStatusUpdateDto,
  AssignRoleDto,
  DeclareIncidentDto,
  ListIncidentsQuery,
  TransitionDto,
  UpdateActionItemDto,
  UpdateIncidentDto,
} from './incident.dto';
import { IfMatch } from '../../platform/http/if-match';

function roleParam(value: string): Role {
  if (!isRole(value)) {
    throw new AppError('invalid', 'INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`, [
      { path: 'role', problem: `must be one of ${ROLES.join(', ')}` },
    ]);
  }
  return value;
}

function withEtag(reply: FastifyReply, incident: IncidentView): IncidentView {
  void reply.header('ETag', `"${incident.version}"`);
  return incident;
}

const ifMatchHeader = { name: 'If-Match', required: false, description: 'Expected version, as returned in ETag' };

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  list(@Query() query: ListIncidentsQuery) {
    return this.queries.execute(new ListIncidents({ ...query, limit: query.limit ?? 50 }));
  }

  @Post()
  @RequireRole('responder')
  async declare(@Body() body: DeclareIncidentDto, @Actor() actor: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.commands.execute(new DeclareIncident(body, actor)));
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.queries.execute(new GetIncident(id)));
  }

  @Patch(':id')
  @RequireRole('responder')
  @ApiHeader(ifMatchHeader)
  async update(
    @Param('id') id: string,
    @Body() body: UpdateIncidentDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.commands.execute(new UpdateIncident(id, body, actor, version)));
  }

  @Post(':id/:transition')
  @HttpCode(200)
  @RequireRole('responder')
  @ApiParam({ name: 'transition', enum: TRANSITIONS })
  @ApiHeader(ifMatchHeader)
  async transition(
    @Param('id') id: string,
    @Param('transition') transition: Transition,
    @Body() body: TransitionDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!(TRANSITIONS as readonly string[]).includes(transition)) {
      throw new AppError('not_found', 'ROUTE_NOT_FOUND', `Route POST /api/v1/incidents/:id/${transition} not found`);
    }
    const incident = await this.commands.execute(new TransitionIncident(id, transition, body?.note ?? null, actor, version));
    return withEtag(reply, incident);
  }

  @Put(':id/roles/:role')
  @RequireRole('responder')
  @ApiParam({ name: 'role', enum: ROLES })
  @ApiHeader(ifMatchHeader)
  async assignRole(
    @Param('id') id: string,
    @Param('role') role: string,
    @Body() body: AssignRoleDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.commands.execute(new AssignRole(id, roleParam(role), body.assignee, actor, version)));
  }

  @Delete(':id/roles/:role')
  @RequireRole('responder')
  @ApiParam({ name: 'role', enum: ROLES })
  @ApiHeader(ifMatchHeader)
  async unassignRole(
    @Param('id') id: string,
    @Param('role') role: string,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.commands.execute(new UnassignRole(id, roleParam(role), actor, version)));
  }

  @Post(':id/notes')
  @RequireRole('responder')
  @ApiHeader(ifMatchHeader)
  addNote(@Param('id') id: string, @Body() body: AddNoteDto, @Actor() actor: string, @IfMatch() version: number | undefined) {
    return this.commands.execute(new AddNote(id, body.text, body.pinned ?? false, actor, version));
  }

  /** A stakeholder status update (`incident.status_update`); follow-through posts and mails it. */
  @Post(':id/updates')
  @RequireRole('responder')
  @ApiHeader(ifMatchHeader)
  postStatusUpdate(
    @Param('id') id: string,
    @Body() body: PostStatusUpdateDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
  ) {
    return this.commands.execute(new PostStatusUpdate(id, body.text, actor, version));
  }

  @Post(':id/action-items')
  @RequireRole('responder')
  @ApiHeader(ifMatchHeader)
  addActionItem(
    @Param('id') id: string,
    @Body() body: AddActionItemDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
  ) {
    return this.commands.execute(new AddActionItem(id, body, actor, version));
  }

  @Patch(':id/action-items/:itemId')
  @RequireRole('responder')
  @ApiHeader(ifMatchHeader)
  updateActionItem(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @Body() body: UpdateActionItemDto,
    @Actor() actor: string,
    @IfMatch() version: number | undefined,
  ) {
    return this.commands.execute(new UpdateActionItem(id, itemId, body, actor, version));
  }
}
