import type { DataSourceOptions } from 'typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

// Raw `date` columns from pg come back as JS Dates at local midnight; keep them YYYY-MM-DD.
pg.types.setTypeParser(1082, (value: string) => value);

/**
 * The data source for a configuration. `entities` are the app's (src/entities.ts, given by the app
 * module); migrations and raw SQL need none.
 */
export function dataSourceOptions(config: Pick<AppConfig, 'database'>, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'] as 'error'[],
  };
  const limits = config.database.limits;
  if (config.database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.database.url,
      // Passed to pg's Pool and to each connection's start-up parameters: a statement, a lock wait
      // and an idle open transaction all end with an error (answered 503), never a hang; a request
      // waits at most poolAcquireTimeoutMs for a connection.
      extra: {
        max: limits.poolSize,
        connectionTimeoutMillis: limits.poolAcquireTimeoutMs,
        statement_timeout: limits.statementTimeoutMs,
        lock_timeout: limits.lockTimeoutMs,
        idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
        // The client's own guard for a server that stops answering mid-query.
        query_timeout: limits.statementTimeoutMs + 5_000,
      },
    };
  }
  if (config.database.path !== ':memory:') mkdirSync(dirname(config.database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.database.path,
    enableWAL: true,
    timeout: limits.lockTimeoutMs,
    prepareDatabase: (db: SqliteConnection) => {
      db.pragma(`busy_timeout = ${limits.lockTimeoutMs}`);
      db.pragma('synchronous = NORMAL');
      beginImmediate(db);
    },
  };
}

interface SqliteConnection {
  pragma(source: string): unknown;
  prepare(source: string): unknown;
}

/**
 * Every transaction on SQLite takes the write lock when it begins (BEGIN IMMEDIATE), waiting up
 * to busy_timeout for it. TypeORM begins with a plain BEGIN (deferred): such a transaction that
 * reads first and then writes cannot wait for a lock another process holds, and failed at once
 * with "database is locked" (seen: 500 in 6-98 ms beside a CLI import). All our transactions
 * write (UnitOfWork is the write path), so taking the lock up front costs nothing.
 */
export function beginImmediate(db: SqliteConnection): void {
  const prepare = db.prepare.bind(db);
  db.prepare = (source: string) => prepare(/^BEGIN( TRANSACTION)?$/i.test(source.trim()) ? 'BEGIN IMMEDIATE TRANSACTION' : source);
}
