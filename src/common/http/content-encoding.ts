import type { Request, Response } from 'express';

/**
 * For answers whose gzipped bytes are kept (the funding gap's JSON, the page `/`): whether the
 * client takes gzip by its Accept-Encoding (q-values included; identity preferred on a tie).
 */
export function takesGzip(req: Request): boolean {
  return req.acceptsEncodings('gzip', 'identity') === 'gzip';
}

/**
 * The headers of such an answer, set once its body is ready (an error answered instead must not
 * claim gzip): caches keep one answer per Accept-Encoding (`Vary`).
 */
export function setEncoding(res: Response, gzipped: boolean): Response {
  res.vary('Accept-Encoding');
  if (gzipped) res.set('Content-Encoding', 'gzip');
  return res;
}
