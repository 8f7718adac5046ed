import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppError } from './app-error';

/**
 * The version named by `If-Match: "<version>"` (weak or unquoted forms accepted), or
 * undefined when absent or `*`. Anything else can never match, so it is a 412.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value);
  if (!match) {
    throw new AppError('precondition_failed', 'VERSION_MISMATCH', `If-Match must name a version as "<number>", got ${value.slice(0, 40)}`);
  }
  return Number(match[1]);
}

export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  parseIfMatch(ctx.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['if-match']),
);
