import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { homeFor, navigationFor, ROLE_LABELS } from './navigation';

/**
 * What every page's layout needs (the signed-in user and the navigation), put into
 * `res.locals` so controllers never pass it by hand. Runs after the auth guard.
 */
export function setPageLocals(req: AuthenticatedRequest, res: Response): void {
  const actor = req.actor;
  if (!actor) return;
  res.locals.currentUser = { email: actor.email, role: actor.role, roleLabel: ROLE_LABELS[actor.role], donorId: actor.donorId };
  res.locals.nav = navigationFor(actor.role, actor.donorId, req.path);
  // The site title leads a donor user to its own page: the funding-gap page at / is for staff.
  res.locals.homeHref = actor.role === 'donor' ? homeFor(actor.role, actor.donorId) : '/';
}

@Injectable()
export class PageLocalsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const http = context.switchToHttp();
      setPageLocals(http.getRequest<AuthenticatedRequest>(), http.getResponse<Response>());
    }
    return next.handle();
  }
}
