import type { Response } from 'express';
import type { CreateResult } from './idempotency.service';

/** Marks a replayed response so a client can tell "created now" from "created before". */
export function replayHeader<T>(res: Response, result: CreateResult<T>): T {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.body;
}
