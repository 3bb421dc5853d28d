import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInputError } from '../common/errors/domain-errors';
import { toErrorBody } from '../common/http/http-exception.filter';

/** No request the contract defines nests deeper than a few levels; 32 leaves room and stops stack-exhausting bodies. */
export const MAX_BODY_DEPTH = 32;

/** The nesting depth of a parsed body, measured without recursion so a hostile body cannot exhaust the stack here either. */
export function depthOf(value: unknown, stopAt = MAX_BODY_DEPTH + 1): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest >= stopAt) return deepest;
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

/** Refuses bodies nested deeper than MAX_BODY_DEPTH with the contract's 400 before any validator walks them. */
export function bodyDepthLimit(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (depthOf(req.body) > MAX_BODY_DEPTH) {
      res.status(400).json(toErrorBody(InvalidInputError.field('body', `the request body is nested more than ${MAX_BODY_DEPTH} levels deep`)));
      return;
    }
    next();
  };
}
