import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { databaseUnavailable, isEntityNotFound } from '../../database/database-errors';
import { DomainError, FieldProblem } from '../errors/domain-errors';
import { MoneyFormatError } from '../money/money';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: FieldProblem[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Seconds a client should wait before retrying, for the answers that say so (503 busy, read-only, unreachable). */
export function retryAfterOf(exception: unknown): number | null {
  const own = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof own === 'number') return own;
  return databaseUnavailable(exception)?.retryAfterSeconds ?? null;
}

/** Body-parser errors arrive as plain errors with a `type` and a `status`. */
interface BodyParserError extends Error {
  type?: string;
  limit?: number;
  status?: number;
  statusCode?: number;
}

export function toErrorBody(exception: unknown): ErrorBody {
  const body = (statusCode: number, message: string, details: FieldProblem[] = []): ErrorBody => ({
    statusCode,
    error: REASONS[statusCode] ?? HttpStatus[statusCode] ?? 'Error',
    message,
    details,
  });

  // Express 5's adapter wraps body-parser errors in an HttpException; the original is its cause.
  const parserError = ((exception as { cause?: unknown })?.cause ?? exception) as BodyParserError;
  if (parserError && typeof parserError.type === 'string') {
    const status = parserError.status ?? parserError.statusCode ?? 400;
    if (parserError.type === 'entity.parse.failed') {
      return body(400, 'The request body is not valid JSON', [{ field: 'body', message: 'malformed JSON' }]);
    }
    if (parserError.type === 'entity.too.large') {
      const limit = parserError.limit ? `${Math.round(parserError.limit / 1024)} KB` : 'the limit';
      return body(413, `The request body is larger than ${limit}`, [{ field: 'body', message: `larger than ${limit}` }]);
    }
    return body(status, parserError.message, [{ field: 'body', message: parserError.message }]);
  }
  const unavailable = databaseUnavailable(exception);
  if (unavailable) return body(503, unavailable.message, [{ field: 'db', message: unavailable.trouble }]);
  if (exception instanceof DomainError) return body(exception.status, exception.message, exception.details);
  if (exception instanceof MoneyFormatError) {
    return body(400, exception.message, [{ field: exception.field, message: exception.message }]);
  }
  if (isEntityNotFound(exception)) return body(404, 'Not found');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null) {
      const r = response as { message?: unknown; details?: FieldProblem[] };
      const message = Array.isArray(r.message) ? r.message.join('; ') : typeof r.message === 'string' ? r.message : exception.message;
      return body(status, message, Array.isArray(r.details) ? r.details : []);
    }
    return body(status, String(response));
  }
  return body(500, 'Something went wrong on our side; the error has been logged');
}

/** A throttled answer says how long to wait (RFC 9110 `Retry-After`, in seconds): any error with `retryAfterSeconds`. */
export function setRetryAfter(res: Response, exception: unknown): void {
  const retryAfter = retryAfterOf(exception);
  if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
}

/**
 * Every error, from any layer, leaves in the contract's shape; never a stack trace. Requests for
 * pages (outside /api, from a browser) go to `pageFilter`, which renders the error as a page.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(private readonly pageFilter?: ExceptionFilter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const isPage = !req.originalUrl.startsWith('/api') && req.accepts(['html', 'json']) === 'html';
    if (this.pageFilter && isPage) {
      this.pageFilter.catch(exception, host);
      return;
    }
    const error = toErrorBody(exception);
    if (error.statusCode === 503) {
      // Busy or unavailable, expected under load: one line, no stack.
      this.logger.warn(`${req.method} ${req.originalUrl}: 503 ${error.message}`);
    } else if (error.statusCode >= 500) {
      this.logger.error(`${req.method} ${req.originalUrl}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    if (res.headersSent) return;
    setRetryAfter(res, exception);
    if (error.statusCode === 401 && isPage) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.status(error.statusCode).json(error);
  }
}
