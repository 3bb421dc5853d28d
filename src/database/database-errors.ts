import { EntityNotFoundError } from 'typeorm';

/** True for the error TypeORM throws when a `findOneOrFail` finds nothing: the error filter answers it with 404. */
export function isEntityNotFound(error: unknown): boolean {
  return error instanceof EntityNotFoundError;
}

/** Why the database cannot take a request now; each is answered 503 with Retry-After. */
export type DatabaseTrouble = 'busy' | 'read-only' | 'unreachable';

export interface DatabaseUnavailable {
  trouble: DatabaseTrouble;
  retryAfterSeconds: number;
  message: string;
}

// PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const PG_BUSY = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);
const PG_READ_ONLY = new Set(['25006']); // read_only_sql_transaction
const PG_UNREACHABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '08P01', '53100']); // shutdown, connection failures, disk full
const NODE_UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
// pg and its pool say these in words only.
const PG_CLIENT_MESSAGES: Array<[RegExp, DatabaseTrouble]> = [
  [/timeout exceeded when trying to connect/i, 'busy'],
  [/Query read timeout/i, 'busy'],
  [/Connection terminated/i, 'unreachable'],
  [/not queryable/i, 'unreachable'],
  [/Client was closed/i, 'unreachable'],
];

const MESSAGES: Record<DatabaseTrouble, string> = {
  busy: 'The database is busy: try again in a moment',
  'read-only': 'The database is read-only just now: nothing can be saved; try again later',
  unreachable: 'The database cannot be reached: try again in a moment',
};
const RETRY_AFTER: Record<DatabaseTrouble, number> = { busy: 2, 'read-only': 60, unreachable: 5 };

function troubleOf(error: unknown): DatabaseTrouble | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLite (better-sqlite3): SQLITE_BUSY*, SQLITE_LOCKED*, SQLITE_READONLY*, SQLITE_IOERR*, SQLITE_FULL, SQLITE_CANTOPEN.
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'busy';
  if (/^SQLITE_READONLY/.test(code)) return 'read-only';
  if (/^SQLITE_(IOERR|FULL|CANTOPEN)/.test(code)) return 'unreachable';
  if (PG_BUSY.has(code)) return 'busy';
  if (PG_READ_ONLY.has(code)) return 'read-only';
  if (PG_UNREACHABLE.has(code) || NODE_UNREACHABLE.has(code)) return 'unreachable';
  if (typeof e.message === 'string') {
    for (const [pattern, trouble] of PG_CLIENT_MESSAGES) if (pattern.test(e.message)) return trouble;
  }
  // TypeORM wraps the driver's error (QueryFailedError.driverError); Nest sometimes the cause.
  return troubleOf(e.driverError) ?? (e.cause !== error ? troubleOf(e.cause) : null);
}

/**
 * Whether `error` says the database cannot serve now (busy, locked, read-only, unreachable,
 * a timed-out statement or lock wait), as opposed to a bug: the error filter answers these 503
 * with Retry-After, so clients retry instead of reporting a failure.
 */
export function databaseUnavailable(error: unknown): DatabaseUnavailable | null {
  const trouble = troubleOf(error);
  return trouble ? { trouble, retryAfterSeconds: RETRY_AFTER[trouble], message: MESSAGES[trouble] } : null;
}
