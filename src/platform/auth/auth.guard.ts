import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../http/app-error';
import { AccessRole, Principal, roleAllows } from './roles';
import { TokenService } from './token.service';

const PUBLIC = 'sitrep:public';
const REQUIRED_ROLE = 'sitrep:required-role';

/** No bearer token needed (health, ingestion with its own credentials, the web pages). */
export const Public = () => SetMetadata(PUBLIC, true);
/** The lowest role allowed; routes without it need `viewer`. */
export const RequireRole = (role: AccessRole) => SetMetadata(REQUIRED_ROLE, role);

/** The caller's principal, set by the guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);

/** The actor of a write: the token's name. */
export const Actor = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal.name,
);

export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1] : null;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'AUTH_REQUIRED', 'Send Authorization: Bearer <token>');
    const principal = await this.tokens.verify(token);
    if (!principal) throw new AppError('unauthorized', 'AUTH_INVALID', 'The bearer token is not valid');
    const required = this.reflector.getAllAndOverride<AccessRole>(REQUIRED_ROLE, targets) ?? 'viewer';
    if (!roleAllows(principal.role, required)) {
      throw new AppError('forbidden', 'ROLE_TOO_LOW', `This needs the ${required} role; the token has ${principal.role}`);
    }
    request.principal = principal;
    return true;
  }
}
