import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppError } from '../../platform/http/app-error';

/** `If-Match: "<version>"` (weak or unquoted accepted); absent or `*` is undefined; anything else is a 412. */
export const IfMatchVersion = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['if-match'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value);
  if (!match) throw new AppError('precondition_failed', 'VERSION_MISMATCH', `If-Match must name a version as "<number>", got ${value.slice(0, 40)}`);
  return Number(match[1]);
});
