import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from './actor';

/** Who may do what: every route names its roles (@Roles) or says it is public (@Public); the guard in auth/ enforces it. */
export const ROLES = ['admin', 'officer', 'leadership', 'donor'] as const;
export type Role = (typeof ROLES)[number];

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';

/** No sign-in needed (health, login, unsubscribe links). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles allowed on a route. A route without @Roles or @Public is refused to everyone: rules are explicit. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const READ_ALL: Role[] = ['admin', 'officer', 'leadership'];
export const READ_ALL_AND_DONOR: Role[] = ['admin', 'officer', 'leadership', 'donor'];
export const WRITE_LEDGER: Role[] = ['admin', 'officer'];

export interface AuthenticatedRequest extends Request {
  actor?: Actor;
}

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
