import { Body, Controller, Get, Headers, NotAcceptableException, Param, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, RequireRole } from '../platform/auth/auth.guard';
import { AppError } from '../platform/http/app-error';
import { ListPostmortemsQuery, parseIsoBound, SavePostmortemDto } from './postmortem.dto';
import {
  CONTENT_TYPES,
  etagOf,
  negotiateFormat,
  parsePostmortemIfMatch,
  POSTMORTEM_FORMATS,
} from './postmortem-format';
import { GetPostmortem, ListPostmortems } from './postmortem-queries';
import { PostmortemDraft, SECTION_NAMES } from './postmortem-draft';
import { renderHtml } from './renderers/html';
import { renderMarkdown } from './renderers/markdown';
import { renderPdf } from './renderers/pdf';
import { SavePostmortemSections, SectionEdits } from './save-sections';

/** The HTML may carry any text from the record: it is escaped, and the browser runs nothing. */
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
};

@ApiTags('postmortems')
@ApiBearerAuth()
@Controller()
export class PostmortemsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('api/v1/incidents/:id/postmortem')
  @ApiOperation({
    summary: 'The postmortem draft, computed from the incident record plus the saved sections',
    description: 'Format by ?format= (wins) or the Accept header. ETag: "<postmortem version>.<incident version>".',
  })
  @ApiQuery({ name: 'format', required: false, enum: POSTMORTEM_FORMATS })
  @ApiProduces(...Object.values(CONTENT_TYPES).map((t) => t.split(';')[0]))
  async get(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const chosen = negotiateFormat(format, accept);
    if (chosen === null) {
      throw new NotAcceptableException({
        message: `Accept names nothing this endpoint produces: ${Object.values(CONTENT_TYPES)
          .map((t) => t.split(';')[0])
          .join(', ')} (or use ?format=)`,
        code: 'NOT_ACCEPTABLE',
      });
    }
    const draft = await this.queries.execute(new GetPostmortem(id));
    void reply.headers({ etag: etagOf(draft), vary: 'Accept', 'cache-control': 'private, no-cache' });
    const filename = `postmortem-${draft.incident.number}`;
    switch (chosen) {
      case 'json':
        return draft;
      case 'markdown':
        void reply.headers({
          'content-type': CONTENT_TYPES.markdown,
          'content-disposition': `inline; filename="${filename}.md"`,
        });
        return renderMarkdown(draft);
      case 'html':
        void reply.headers({ ...HTML_HEADERS, 'content-type': CONTENT_TYPES.html });
        return renderHtml(draft);
      case 'pdf': {
        const pdf = await renderPdf(draft);
        void reply.headers({
          'content-type': CONTENT_TYPES.pdf,
          'content-disposition': `inline; filename="${filename}.pdf"`,
        });
        return pdf;
      }
    }
  }

  @Put('api/v1/incidents/:id/postmortem')
  @RequireRole('responder')
  @ApiOperation({
    summary: 'Save postmortem sections; later drafts keep them. Records postmortem.updated on the timeline.',
    description:
      'If-Match is compared with the postmortem version (the first number of the ETag), not the incident version.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of a GET ("3.17") or "<postmortem version>"' })
  async save(
    @Param('id') id: string,
    @Body() body: SavePostmortemDto,
    @Actor() actor: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostmortemDraft> {
    const expected = parsePostmortemIfMatch(ifMatch);
    const edits: SectionEdits = {};
    for (const name of SECTION_NAMES) {
      const value = body.sections[name];
      if (value !== undefined) edits[name] = value;
    }
    if (Object.keys(edits).length === 0) {
      throw new AppError(
        'invalid',
        'SECTIONS_REQUIRED',
        `sections must name at least one of ${SECTION_NAMES.join(', ')}`,
        [{ path: 'sections', problem: `must name at least one of ${SECTION_NAMES.join(', ')}` }],
      );
    }
    const draft = await this.commands.execute(new SavePostmortemSections(id, edits, actor, expected));
    void reply.header('etag', etagOf(draft));
    return draft;
  }

  @Get('api/v1/postmortems')
  @ApiOperation({
    summary: 'Postmortems of the incidents declared in [from, to), newest first, with their key metrics',
  })
  list(@Query() query: ListPostmortemsQuery) {
    const from = query.from !== undefined ? (parseIsoBound(query.from, false) as number) : undefined;
    const to = query.to !== undefined ? (parseIsoBound(query.to, true) as number) : undefined;
    if (from !== undefined && to !== undefined && from >= to) {
      throw new AppError('invalid', 'INVALID_RANGE', 'to must be after from', [
        { path: 'to', problem: 'must be after from' },
      ]);
    }
    return this.queries.execute(
      new ListPostmortems({ from, to, service: query.service, limit: query.limit ?? 100, cursor: query.cursor }),
    );
  }
}
