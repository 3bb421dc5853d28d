import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { databaseUnavailable } from './database-errors';

/**
 * The handle of one open unit of work. Services pass it from `UnitOfWork.transaction` to the
 * repositories' write methods without knowing what it is made of (TypeORM stays in repositories).
 */
export type Transaction = EntityManager;

/**
 * The only way to write. On SQLite, TypeORM shares one connection between all callers, so two
 * overlapping transactions nest and a rollback in one silently undoes the other's rows (measured:
 * 180 answered 201, 9 saved). Every write therefore runs inside one promise-chain lock there.
 * PostgreSQL keeps real concurrency: each transaction gets its own pooled connection.
 *
 * Repositories take the `Transaction` handed out here for their write methods, so a write
 * outside a unit of work does not type-check.
 */
@Injectable()
export class UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
    guardOtherConnections(dataSource);
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  private readonly commitListeners: Array<() => void> = [];

  /**
   * The last write failed because the database is read-only (a read-only file or disk, a
   * PostgreSQL standby): health reports it until a write succeeds again. A SELECT cannot tell.
   */
  lastWriteReadOnly = false;

  /** Called after every committed unit of work: caches of derived figures forget what they hold. */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /**
   * Runs `work` in one transaction (behind the write lock on SQLite). `derivedOnly` marks work that
   * only fills derived columns from data already committed (ledger valuation): it changes no figure,
   * so caches keep what they hold.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, options: { derivedOnly?: boolean } = {}): Promise<T> {
    const run = () =>
      this.dataSource
        .transaction((tx) => insideTransaction.run(true, () => work(tx)))
        .then(
          (result) => {
            this.lastWriteReadOnly = false;
            if (!options.derivedOnly) for (const listener of this.commitListeners) listener();
            return result;
          },
          (error: unknown) => {
            if (databaseUnavailable(error)?.trouble === 'read-only') this.lastWriteReadOnly = true;
            throw error;
          },
        );
    if (!this.serialise) return run();
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Serialises same-key work across PostgreSQL connections (idempotency keys, digest periods):
   * a transaction-scoped advisory lock. On SQLite the write lock already serialises everything.
   */
  async lockKey(tx: Transaction, key: string): Promise<void> {
    if (this.isPostgres) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }
}

/** True while a unit of work's callback runs, through every await it makes. */
const insideTransaction = new AsyncLocalStorage<boolean>();

export class OtherConnectionInTransactionError extends Error {
  constructor() {
    super(
      'A query asked for another database connection inside a transaction. Pass the transaction (tx) to the repository method: ' +
        'on PostgreSQL the transaction holds its connection and row locks while the other query waits for a pooled connection, ' +
        'and ten such requests at once hang the pool for good.',
    );
    this.name = 'OtherConnectionInTransactionError';
  }
}

const guarded = new WeakSet<DataSource>();

/**
 * Refuses work on another connection while a transaction is open in the same async flow: the
 * class of bug that hung PostgreSQL (a rate look-up outside the transaction that held a pledge's
 * row lock: ten concurrent disbursements took all ten pooled connections and waited on each
 * other). On PostgreSQL it always throws. On SQLite there is one connection and no hang, so in
 * production it logs, and under the tests (NODE_ENV=test) it throws, so the SQLite tier finds
 * what would hang on PostgreSQL.
 */
function guardOtherConnections(dataSource: DataSource): void {
  if (guarded.has(dataSource)) return;
  guarded.add(dataSource);
  const strict = dataSource.options.type === 'postgres' || process.env.NODE_ENV === 'test';
  const logger = new Logger('UnitOfWork');
  const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => {
    if (insideTransaction.getStore()) {
      const error = new OtherConnectionInTransactionError();
      if (strict) throw error;
      logger.warn(error.stack ?? error.message);
    }
    return createQueryRunner(...args);
  };
}
