import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../access/roles';
import { idempotencyContext, IdempotencyContext } from './idempotency.service';

/** The request's Idempotency-Key with a hash of its raw body, or null when the header is absent. */
export const Idempotency = createParamDecorator((_: unknown, ctx: ExecutionContext): IdempotencyContext | null => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const header = req.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  const route = `${req.method} ${req.baseUrl}${req.path}`;
  return idempotencyContext(req.actor ?? { id: 0, organisationId: null }, key, route, req.body);
});
