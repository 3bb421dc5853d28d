import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../access/roles';
import { setRetryAfter, toErrorBody } from '../common/http/http-exception.filter';
import type { OrganisationView } from '../organisations/organisations.service';
import { setPageLocals } from './page-context';

const TITLES: Record<number, string> = {
  503: 'Try again in a moment',
  400: 'Check the address',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Already done',
  413: 'Too much data',
  422: 'Not possible',
  429: 'Too many attempts',
};

/**
 * Errors on HTML pages as HTML: not signed in goes to the sign-in form, anything else renders
 * `error.hbs` with the same status the API would give. Bind it with `@UseFilters(WebPageExceptionFilter)`
 * on any page controller.
 */
@Catch()
export class WebPageExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebPageExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<Response>();
    const error = toErrorBody(exception);
    if (error.statusCode === 503) this.logger.warn(`${req.method} ${req.originalUrl}: 503 ${error.message}`);
    else if (error.statusCode >= 500) this.logger.error(`${req.method} ${req.originalUrl}: ${(exception as Error)?.stack ?? String(exception)}`);
    if (res.headersSent) return;
    setRetryAfter(res, exception);
    if (error.statusCode === 401) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    // The organisation is there when the page's interceptor ran before the error; a guard's refusal comes earlier.
    setPageLocals(req, res, (res.locals.organisation as OrganisationView | undefined) ?? null);
    if (error.statusCode === 429 && req.path === '/login') {
      res.status(429).render('login', { title: 'Sign in', error: error.message, email: '' });
      return;
    }
    const message =
      error.statusCode === 503
        ? error.message
        : error.statusCode >= 500
          ? 'Something went wrong on our side. The error has been logged; try again in a moment.'
          : error.message;
    res.status(error.statusCode).render('error', {
      title: TITLES[error.statusCode] ?? (error.statusCode >= 500 ? 'Something went wrong' : 'Request refused'),
      statusCode: error.statusCode,
      message,
      details: error.statusCode < 500 ? error.details : [],
    });
  }
}
