import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidInputError } from '../common/errors/domain-errors';
import { canonicalJson } from '../common/canonical-json';
import type { Actor } from '../access/actor';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';

export { canonicalJson };
import { IdempotencyRepository } from './idempotency.repository';

/** What a create request says about itself: who, which key, which route, and a hash of its body. */
export interface IdempotencyContext {
  actorId: number;
  /** The actor's organisation, whose record the key is (null only for work of no organisation, which cannot keep one). */
  organisationId: number | null;
  key: string;
  route: string;
  requestHash: string;
}

export interface CreateResult<T> {
  body: T;
  replayed: boolean;
}

export function idempotencyContext(
  actor: Pick<Actor, 'id' | 'organisationId'>,
  key: string | undefined,
  route: string,
  body: unknown,
): IdempotencyContext | null {
  if (key === undefined) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw InvalidInputError.field('Idempotency-Key', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  const requestHash = createHash('sha256')
    .update(`${route}\n${canonicalJson(body)}`)
    .digest('hex');
  return { actorId: actor.id, organisationId: actor.organisationId, key, route, requestHash };
}

/**
 * Runs a create inside one transaction together with the record of its response, so "201" and
 * "saved" are the same fact. Same key, same body: the first response comes back and nothing new is
 * created. Same key, other body: 409. Concurrent retries of one key are serialised by the write
 * lock (SQLite) or an advisory lock on the key (PostgreSQL).
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly keys: IdempotencyRepository,
  ) {}

  async create<T>(ctx: IdempotencyContext | null, work: (tx: Transaction) => Promise<T>): Promise<CreateResult<T>> {
    if (!ctx) return { body: await this.uow.transaction(work), replayed: false };
    return this.uow.transaction(async (tx) => {
      await this.uow.lockKey(tx, `idempotency:${ctx.actorId}:${ctx.key}`);
      const existing = await this.keys.findResponse(tx, ctx.actorId, ctx.key);
      if (existing) {
        if (existing.requestHash !== ctx.requestHash) {
          throw new ConflictError('This Idempotency-Key was already used with a different request', [
            { field: 'Idempotency-Key', message: 'already used with a different body or route' },
          ]);
        }
        return { body: JSON.parse(existing.responseBody) as T, replayed: true };
      }
      const body = await work(tx);
      if (ctx.organisationId === null) throw new Error('An Idempotency-Key is kept per organisation, and this request acts for none');
      await this.keys.remember(tx, {
        organisationId: ctx.organisationId,
        actorId: ctx.actorId,
        key: ctx.key,
        route: ctx.route,
        requestHash: ctx.requestHash,
        statusCode: 201,
        responseBody: JSON.stringify(body),
      });
      return { body, replayed: false };
    });
  }
}
