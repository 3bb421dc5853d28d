import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from '../access/roles';
import type { Role } from '../access/roles';

/**
 * Global guard: every route needs @Public() or @Roles(...). Bearer tokens for the API; pages (a
 * later issue) read the same token from the session cookie.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const bearer = bearerToken(req.headers.authorization);
    const token = requestToken(req);
    const actor = token ? await this.auth.actorForToken(token, { remember: bearer !== null }) : null;
    if (!actor) throw new UnauthorizedException('Sign in first: send Authorization: Bearer <token>');
    req.actor = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(actor.role)) throw new ForbiddenException(`The ${actor.role} role may not do this`);
    return true;
  }
}

/** The token a request signs in with: a bearer token, else the session cookie's. */
export function requestToken(req: { headers: { authorization?: string; cookie?: string } }): string | null {
  return bearerToken(req.headers.authorization) ?? sessionToken(req.headers.cookie);
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header) : null;
  return match ? match[1] : null;
}

export const SESSION_COOKIE = 'mat_session';

function sessionToken(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      return /^[A-Za-z0-9_-]{20,200}$/.test(value) ? value : null;
    }
  }
  return null;
}
