import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../platform/auth/auth.guard';
import { isUuid } from '../../platform/http/uuid';
import { isStorableText } from '../domain/policy';
import { EscalationPolicies, EscalationPolicyView } from '../policies/escalation-policies';
import { Services } from '../policies/services';
import { invalid, IfMatch } from './problems';

const policyBody = {
  schema: {
    type: 'object',
    required: ['name', 'steps'],
    example: {
      name: 'Search',
      default: false,
      repeat: 1,
      urgentSeverities: ['SEV1', 'SEV2'],
      steps: [
        { delay: 'PT5M', targets: [{ type: 'schedule', scheduleId: '9d3c2b1a-0000-4000-8000-000000000001' }] },
        {
          delay: 'PT10M',
          targets: [
            { type: 'responder', handle: 'carol' },
            { type: 'slack_channel', channel: '#search-oncall' },
          ],
        },
      ],
    },
  },
};
const serviceBody = {
  schema: {
    type: 'object',
    example: { escalationPolicyId: '5f0c6a3e-0000-4000-8000-000000000001', description: 'Elasticsearch cluster' },
  },
};

const ifMatchHeader = { name: 'If-Match', required: false, description: 'Expected version, as returned in ETag' };

function withEtag(reply: FastifyReply, policy: EscalationPolicyView): EscalationPolicyView {
  void reply.header('ETag', `"${policy.version}"`);
  return policy;
}

function pageLimit(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw invalid([{ path: 'limit', problem: 'must be a whole number from 1 to 500' }]);
  return n;
}

function decodeCursor<T>(raw: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through
  }
  throw invalid([{ path: 'cursor', problem: 'is not a cursor this list gave out' }]);
}

const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

@ApiTags('paging')
@ApiBearerAuth()
@Controller('api/v1/escalation-policies')
export class EscalationPoliciesController {
  constructor(private readonly policies: EscalationPolicies) {}

  @Post()
  @RequireRole('admin')
  @ApiBody(policyBody)
  async create(@Body() body: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.policies.create(body));
  }

  @Get()
  async list(@Query('limit') rawLimit?: string, @Query('cursor') rawCursor?: string) {
    const limit = pageLimit(rawLimit);
    const after = decodeCursor(
      rawCursor,
      (v): v is { name: string; id: string } =>
        typeof (v as { name?: unknown })?.name === 'string' &&
        isStorableText((v as { name: string }).name) &&
        typeof (v as { id?: unknown }).id === 'string' &&
        isUuid((v as { id: string }).id),
    );
    const items = await this.policies.list(limit + 1, after);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
    };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.policies.get(id));
  }

  @Put(':id')
  @RequireRole('admin')
  @ApiHeader(ifMatchHeader)
  @ApiBody(policyBody)
  async replace(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @IfMatch() version: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.policies.replace(id, body, version));
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiHeader(ifMatchHeader)
  async delete(@Param('id') id: string, @IfMatch() version: number | undefined): Promise<void> {
    await this.policies.delete(id, version);
  }
}

@ApiTags('paging')
@ApiBearerAuth()
@Controller('api/v1/services')
export class ServicesController {
  constructor(private readonly services: Services) {}

  @Put(':name')
  @RequireRole('admin')
  @ApiBody(serviceBody)
  put(@Param('name') name: string, @Body() body: Record<string, unknown>) {
    return this.services.put(name, body);
  }

  @Get()
  async list(@Query('limit') rawLimit?: string, @Query('cursor') rawCursor?: string) {
    const limit = pageLimit(rawLimit);
    const after = decodeCursor(rawCursor, (v): v is string => typeof v === 'string' && isStorableText(v));
    const items = await this.services.list(limit + 1, after);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: items.length > limit && last ? encodeCursor(last.name) : null };
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.services.get(name);
  }
}
