import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { from, switchMap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../access/roles';
import { ObligationsService } from '../obligations/obligations.service';
import { OrganisationsService, type OrganisationView } from '../organisations/organisations.service';
import { homeFor, navigationFor, ROLE_LABELS } from './navigation';

/**
 * What every page's layout needs (the signed-in user and the navigation), put into
 * `res.locals` so controllers never pass it by hand. Runs after the auth guard.
 */
export function setPageLocals(req: AuthenticatedRequest, res: Response, organisation: OrganisationView | null, overdue = 0): void {
  const actor = req.actor;
  if (!actor) return;
  // The layout names the reader's organisation (issue 19); a page for no one signed in names none.
  res.locals.organisation = organisation;
  res.locals.currentUser = { email: actor.email, role: actor.role, roleLabel: ROLE_LABELS[actor.role], donorId: actor.donorId };
  res.locals.nav = navigationFor(actor.role, actor.donorId, req.path, overdue);
  // The site title leads a donor user to its own page: the funding-gap page at / is for staff.
  res.locals.homeHref = actor.role === 'donor' ? homeFor(actor.role, actor.donorId) : '/';
}

/** Pages (not the API) for staff show the count of overdue obligations beside "Calendar". */
@Injectable()
export class PageLocalsInterceptor implements NestInterceptor {
  constructor(
    private readonly obligations: ObligationsService,
    private readonly organisations: OrganisationsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<Response>();
    const actor = req.actor;
    if (!actor || req.path.startsWith('/api/')) return next.handle();
    const overdue = actor.role === 'donor' ? Promise.resolve(0) : this.obligations.overdueCount();
    return from(Promise.all([this.organisations.of(actor), overdue])).pipe(
      switchMap(([organisation, count]) => {
        setPageLocals(req, res, organisation, count);
        return next.handle();
      }),
    );
  }
}
