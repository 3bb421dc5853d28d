import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { SESSION_COOKIE } from '../auth/auth.guard';
import { toErrorBody } from '../common/http/http-exception.filter';
import { ForbiddenException } from '@nestjs/common';

/** The hidden form field every page form carries (`{{> csrf}}` writes it). */
export const CSRF_FIELD = '_csrf';
export const CSRF_COOKIE = 'mat_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sessionCookieOf(req: Request): string {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' ? value : '';
}

/**
 * A request needs a CSRF token when the browser could have sent it on its own: any unsafe method
 * outside /api, and any unsafe /api call that authenticates with the session cookie rather than a
 * bearer token (scripts send bearer tokens; a forged cross-site form can only ride the cookie).
 */
export function needsCsrfToken(req: Pick<Request, 'method' | 'path' | 'headers'> & { cookies?: unknown }): boolean {
  if (!UNSAFE_METHODS.has(req.method)) return false;
  if (/^Bearer\s/i.test(req.headers.authorization ?? '')) return false;
  if (req.path.startsWith('/api/')) return sessionCookieOf(req as Request) !== '';
  return true;
}

/**
 * Double-submit CSRF protection (csrf-csrf): the token is an HMAC over the session token and a
 * random value, kept in an HttpOnly cookie and repeated in the form's `_csrf` field (or the
 * X-CSRF-Token header). Tokens are bound to the session, so signing in issues a fresh one.
 *
 * For templates, `res.locals.csrfToken` is computed on first use, so only rendered pages set the
 * cookie. A file upload form (multipart) carries the token in its action URL (`?_csrf=`), since its
 * body is only read by the route handler, after sign-in (common/http/upload-body.ts); the token is
 * bound to the session, so one seen in a log is worth nothing once the session ends. The field is removed from the body once checked, so DTOs with `forbidNonWhitelisted`
 * never see it.
 *
 * The HMAC secret is random per process unless CSRF_SECRET is set: behind several instances set
 * it, or a form opened on one instance is refused by another.
 */
export function csrfMiddleware(secret = randomBytes(32).toString('hex')): RequestHandler {
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: sessionCookieOf,
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', path: '/', httpOnly: true, secure: false },
    getCsrfTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (typeof fromBody === 'string') return fromBody;
      const header = req.headers[CSRF_HEADER];
      if (typeof header === 'string') return header;
      // A file upload form's body is read by its handler, after this check: its token is in the action URL.
      const fromUrl = req.is('multipart/form-data') ? (req.query as Record<string, unknown>)[CSRF_FIELD] : undefined;
      return typeof fromUrl === 'string' ? fromUrl : null;
    },
  });

  return (req: Request, res: Response, next: NextFunction) => {
    let token: string | undefined;
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get: () => (token ??= generateCsrfToken(req, res, { cookieOptions: { secure: req.secure } })),
    });
    if (!needsCsrfToken(req)) return next();
    if (!validateRequest(req)) return refuse(req, res);
    if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)[CSRF_FIELD];
    next();
  };
}

function refuse(req: Request, res: Response): void {
  const message = 'This form has expired or did not come from this site. Go back, reload the page and try again.';
  if (!req.path.startsWith('/api/') && req.accepts(['html', 'json']) === 'html') {
    res.status(403).render('error', { title: 'Form expired', statusCode: 403, message });
    return;
  }
  res.status(403).json(toErrorBody(new ForbiddenException(message)));
}
