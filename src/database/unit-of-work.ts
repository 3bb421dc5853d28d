import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { databaseUnavailable } from './database-errors';
import { SqlDialect } from './sql-dialect';

/** The part of better-sqlite3's database handle the figures version reads through. */
interface SqliteHandle {
  prepare(sql: string): { pluck(): { get(): number | bigint | string | null | undefined } };
}

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
  private readonly logger = new Logger('UnitOfWork');
  readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
    this.dialect = SqlDialect.of(dataSource);
    guardOtherConnections(dataSource);
  }

  private readonly commitListeners: Array<() => void> = [];
  /** Work to run once a particular unit of work has committed (never when it rolls back). */
  private readonly afterCommitWork = new WeakMap<Transaction, Array<() => void>>();

  /**
   * The last write failed because the database is read-only (a read-only file or disk, a
   * PostgreSQL standby): health reports it until a write succeeds again. A SELECT cannot tell.
   */
  lastWriteReadOnly = false;

  /**
   * Called after every committed unit of work of this instance: caches of derived figures forget
   * what they hold at once. Other processes' writes reach them through `figuresVersion`.
   */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /** The read of the figures version under way, and whether it began in the current synchronous run. */
  private versionRead: Promise<string> | null = null;
  private versionReadIsThisRuns = false;
  /** The read that begins once `versionRead` ends, for everyone who asked meanwhile. */
  private nextVersionRead: Promise<string> | null = null;

  /**
   * The figures version: it moves after every committed unit of work that can change a figure
   * (every one but `derivedOnly`), on this instance or any other process on the database, before
   * that write is answered. A cache of derived figures reads it before it serves (one indexed read
   * or sequence read): an entry computed after reading version v holds every write answered before
   * v was read, so it may serve while the version is still v, and never once it moved.
   *
   * A caller must get a read that began after it asked (a read begun earlier may predate a write
   * answered since). So callers share reads: those in the synchronous run that began one share it,
   * and everyone who asks while a read is under way shares the next one, begun when it ends. Under
   * load that is one database round trip per round trip, not one per request.
   */
  figuresVersion(): Promise<string> {
    if (this.serialise) return Promise.resolve(this.sqliteFiguresVersion());
    if (this.versionRead && this.versionReadIsThisRuns) return this.versionRead;
    if (!this.versionRead) return this.beginVersionRead();
    this.nextVersionRead ??= this.versionRead.then(
      () => this.afterVersionRead(),
      () => this.afterVersionRead(),
    );
    return this.nextVersionRead;
  }

  /** A prepared read on the embedded database's own handle (better-sqlite3), and that handle. */
  private sqliteVersionRead: { db: SqliteHandle; statement: { get(): number | bigint | string | null | undefined } } | null = null;

  /**
   * SQLite answers in this process and at once, so every caller reads for itself, on a statement
   * prepared once per handle: about 2 µs against 14-18 µs through TypeORM, which cost the cached
   * gap a fifth of its requests per second on the bench's ledger (62% of health against 80%).
   */
  private sqliteFiguresVersion(): string {
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection;
    if (this.sqliteVersionRead?.db !== db) this.sqliteVersionRead = { db, statement: db.prepare(this.dialect.readFiguresVersion).pluck() };
    return String(this.sqliteVersionRead.statement.get() ?? 0);
  }

  private afterVersionRead(): Promise<string> {
    this.nextVersionRead = null;
    return this.beginVersionRead();
  }

  private beginVersionRead(): Promise<string> {
    const read = this.dataSource.query<Array<{ version: string | number }>>(this.dialect.readFiguresVersion).then(([row]) => String(row?.version ?? 0));
    this.versionRead = read;
    this.versionReadIsThisRuns = true;
    queueMicrotask(() => {
      if (this.versionRead === read) this.versionReadIsThisRuns = false;
    });
    const ended = () => {
      if (this.versionRead === read) this.versionRead = null;
    };
    read.then(ended, ended);
    return read;
  }

  /**
   * Runs `work` in one transaction (behind the write lock on SQLite) and moves the figures version
   * before it returns. `derivedOnly` marks work that changes no figure, so caches on every instance
   * keep what they hold: filling derived columns from data already committed (ledger valuation),
   * staging an upload, and the sessions' bookkeeping (a sign-in, a sign-out, a session's expiry
   * sliding once a minute while it is used, which would otherwise drop the funding figures every
   * minute of every open session).
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, options: { derivedOnly?: boolean } = {}): Promise<T> {
    let committed: Array<() => void> = [];
    const advance = options.derivedOnly ? null : this.dialect.advanceFiguresVersion;
    const run = () =>
      this.dataSource
        .transaction((tx) =>
          insideTransaction.run(true, async () => {
            const result = await work(tx);
            for (const last of this.beforeCommitWork.get(tx) ?? []) await last();
            if (advance && !advance.afterCommit) await tx.query(advance.sql);
            committed = this.afterCommitWork.get(tx) ?? [];
            return result;
          }),
        )
        .then(
          async (result) => {
            this.lastWriteReadOnly = false;
            if (advance?.afterCommit) await this.advanceAfterCommit(advance.sql);
            if (!options.derivedOnly) for (const listener of this.commitListeners) listener();
            for (const then of committed) then();
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
   * PostgreSQL moves the version once the write is visible to every connection. If that fails (the
   * server went away between the two statements), the write stands and is answered; other instances
   * see it at their caches' age limit (FundingGapService CACHE_TTL_MS) or at the next write.
   */
  private async advanceAfterCommit(sql: string): Promise<void> {
    try {
      await this.dataSource.query(sql);
    } catch (error) {
      this.logger.error(`The figures version did not move after a commit; other instances may serve older figures for a while: ${String(error)}`);
    }
  }

  /** Work run last inside a particular unit of work, in the order given, once its own work has succeeded. */
  private readonly beforeCommitWork = new WeakMap<Transaction, Array<() => Promise<void>>>();

  /**
   * Runs `last` in `tx` after everything else the unit of work does, just before it commits: for
   * a step that must hold a lock for as short a time as possible and take it after every other
   * lock of the transaction (the ledger totals' feed position, handed out in commit order).
   */
  beforeCommit(tx: Transaction, last: () => Promise<void>): void {
    const list = this.beforeCommitWork.get(tx) ?? [];
    list.push(last);
    this.beforeCommitWork.set(tx, list);
  }

  /** Runs `then` after `tx` commits (not if it rolls back): work that must see the committed rows, such as waking a worker. */
  afterCommit(tx: Transaction, then: () => void): void {
    const list = this.afterCommitWork.get(tx) ?? [];
    list.push(then);
    this.afterCommitWork.set(tx, list);
  }

  /**
   * Serialises same-key work across PostgreSQL connections (idempotency keys, digest periods):
   * a transaction-scoped advisory lock. `shared` holders run side by side and exclude only an
   * exclusive holder. On SQLite the write lock already serialises everything.
   */
  async lockKey(tx: Transaction, key: string, options: { shared?: boolean } = {}): Promise<void> {
    const sql = this.dialect.advisoryTransactionLock(options.shared ?? false);
    if (sql) await tx.query(sql, [key]);
  }

  /**
   * Runs reads that must all see one state of the database, and writes nothing: on PostgreSQL a
   * read-only REPEATABLE READ transaction; on SQLite a deferred read transaction on the one
   * connection, taken while no unit of work of this process is open (behind the write lock), so
   * no write lock is asked for and nothing is written. `work` must use the handle it is given.
   * With `temporaryTables`, `work` may create temporary tables (the ledger as known on a past
   * day): nothing of the database's own is written either way.
   */
  readSnapshot<T>(work: (reader: Transaction) => Promise<T>, options: { temporaryTables?: boolean } = {}): Promise<T> {
    // Inside a unit of work the snapshot would wait for the write lock its caller holds (SQLite) or
    // take a second pooled connection (PostgreSQL): a programming error, said at once.
    if (insideTransaction.getStore()) return Promise.reject(new OtherConnectionInTransactionError());
    if (this.dialect.isPostgres) {
      return this.dataSource.transaction('REPEATABLE READ', (reader) =>
        insideTransaction.run(true, async () => {
          // PostgreSQL refuses CREATE TEMPORARY TABLE in a read-only transaction; `temporaryTables`
          // readers create only tables dropped at commit (SqlDialect.createTemporaryTableAs).
          if (!options.temporaryTables) await reader.query('SET TRANSACTION READ ONLY');
          return work(reader);
        }),
      );
    }
    const run = async () => {
      const reader = this.dataSource.manager;
      await reader.query('BEGIN DEFERRED TRANSACTION');
      try {
        return await work(reader);
      } finally {
        await reader.query('COMMIT');
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
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

/**
 * Runs independent reads: side by side on the pool when `reader` is undefined, one after the other
 * on `reader` (a transaction or snapshot holds one connection, which takes one query at a time).
 */
export async function readAll<T extends readonly unknown[]>(reader: Transaction | undefined, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (reader === undefined) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}
