import { Injectable } from '@nestjs/common';
import { InsertStatement, SqlQuery } from '../database/sql-statements';
import type { Transaction } from '../database/unit-of-work';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** The first answer given to a key: the hash of the request it answered, and its body as JSON. */
export interface StoredResponse {
  requestHash: string;
  responseBody: string;
}

/** The two statements every keyed create runs: look the key up, then keep the first answer. */
const FIND_KEY = new SqlQuery<{ request_hash: string; response_body: string }>(
  'SELECT request_hash, response_body FROM idempotency_keys WHERE actor_id = ? AND idem_key = ?',
);
const INSERT_KEY = new InsertStatement(IdempotencyKeyEntity, ['organisationId', 'actorId', 'key', 'route', 'requestHash', 'statusCode', 'responseBody']);

/** The idempotency_keys table: one row per (actor, key), written with the create it answers. */
@Injectable()
export class IdempotencyRepository {
  async findResponse(tx: Transaction, actorId: number, key: string): Promise<StoredResponse | null> {
    const [row] = await FIND_KEY.run(tx, [actorId, key]);
    return row ? { requestHash: row.request_hash, responseBody: row.response_body } : null;
  }

  async remember(
    tx: Transaction,
    entry: Pick<IdempotencyKeyEntity, 'organisationId' | 'actorId' | 'key' | 'route' | 'requestHash' | 'statusCode' | 'responseBody'>,
  ): Promise<void> {
    await INSERT_KEY.run(tx, [entry]);
  }
}
