import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../platform/auth/auth.guard';
import { AppError } from '../platform/http/app-error';
import { StaticFile, WebAssets } from './web-assets';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pages may talk only to this origin; the postmortem preview is a sandboxed srcdoc frame. */
const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const REVALIDATE = 'no-cache';
const FOREVER = 'public, max-age=31536000, immutable';

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  file: StaticFile,
  cacheControl: string,
  extra: Record<string, string> = {},
) {
  void reply.headers({
    ...extra,
    'content-type': file.contentType,
    'cache-control': cacheControl,
    etag: file.etag,
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
  });
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) {
    return reply.status(304).send();
  }
  const acceptEncoding = String(request.headers['accept-encoding'] ?? '');
  if (file.gzip && /\bgzip\b/.test(acceptEncoding)) {
    return reply.status(200).header('content-encoding', 'gzip').send(file.gzip);
  }
  return reply.status(200).send(file.body);
}

/** The browser UI: the incident board, the live incident page, the on-call page, the action-items page and their static assets. */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  constructor(@Inject(WebAssets) private readonly web: WebAssets) {}

  @Get()
  board(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return send(request, reply, this.page('board'), REVALIDATE, PAGE_SECURITY_HEADERS);
  }

  @Get('incidents/:id')
  incident(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!UUID.test(id)) throw new AppError('not_found', 'INCIDENT_NOT_FOUND', `No incident with id ${id}`);
    return send(request, reply, this.page('incident'), REVALIDATE, PAGE_SECURITY_HEADERS);
  }

  @Get('on-call')
  onCall(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return send(request, reply, this.page('on-call'), REVALIDATE, PAGE_SECURITY_HEADERS);
  }

  @Get('action-items')
  actionItems(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return send(request, reply, this.page('action-items'), REVALIDATE, PAGE_SECURITY_HEADERS);
  }

  /** Files are looked up by name in memory, never on disk, so `..` reaches nothing. */
  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Query('v') version: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const file = this.web.asset(name);
    if (!file) throw new AppError('not_found', 'ASSET_NOT_FOUND', `No asset named ${name}`);
    return send(request, reply, file, version === file.version ? FOREVER : REVALIDATE);
  }

  private page(name: string): StaticFile {
    const file = this.web.page(name);
    if (!file) throw new AppError('unavailable', 'WEB_UI_MISSING', `The web UI page ${name} is not installed`);
    return file;
  }
}
