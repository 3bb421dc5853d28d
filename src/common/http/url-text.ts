import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInputError } from '../errors/domain-errors';
import { scanText } from '../text';
import { toErrorBody } from './http-exception.filter';

function problemIn(name: string, value: unknown): { field: string; message: string } | null {
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item !== 'string') continue;
    const scanned = scanText(item);
    if ('problem' in scanned) return { field: name, message: `${name} ${scanned.problem}` };
  }
  return null;
}

/** The first control character (or broken Unicode) in the decoded path or query, named by parameter. */
export function urlTextProblem(req: Pick<Request, 'path' | 'query'>): { field: string; message: string } | null {
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue; // malformed escapes: Express refuses them when it decodes the route's parameters
    }
    const problem = problemIn('path', decoded);
    if (problem) return problem;
  }
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const problem = problemIn('query parameter', name) ?? problemIn(name, value);
    if (problem) return problem;
  }
  return null;
}

/**
 * Refuses a request whose path or query carries control characters (a NUL from `%00`, CR/LF…)
 * with the contract's 400 before any route sees it: no parameter of any route may hold them, and
 * PostgreSQL cannot even compare a NUL. Checked once here so that no route can forget it.
 */
export function refuseControlCharactersInUrl(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const problem = urlTextProblem(req);
    if (!problem) return next();
    res.status(400).json(toErrorBody(InvalidInputError.field(problem.field, problem.message)));
  };
}
