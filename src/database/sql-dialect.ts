import type { DataSource, EntityManager } from 'typeorm';

export type DialectName = 'sqlite' | 'postgres';

/** A value a named parameter may be bound to. */
export type SqlValue = string | number | bigint | boolean | Date | null;

/** SQL text ready for the driver, with its parameters in placeholder order. */
export interface BoundSql {
  text: string;
  params: unknown[];
}

/**
 * Every difference between SQLite and PostgreSQL that SQL outside src/database/ has to know
 * about, in one place: placeholders, the UTC day of a timestamp, booleans, row locks, the date
 * comparison SQLite plans badly, the difference in days between two dates, and transaction-scoped
 * advisory locks. Repositories write one SQL text and ask the dialect for the parts that differ;
 * nothing else tests which database it runs on.
 */
export class SqlDialect {
  static readonly sqlite = new SqlDialect('sqlite');
  static readonly postgres = new SqlDialect('postgres');

  private constructor(readonly name: DialectName) {}

  /** The dialect of a data source, or of the data source behind a transaction's manager. */
  static of(source: DataSource | EntityManager): SqlDialect {
    const options = 'options' in source ? source.options : source.connection.options;
    return options.type === 'postgres' ? SqlDialect.postgres : SqlDialect.sqlite;
  }

  get isPostgres(): boolean {
    return this.name === 'postgres';
  }

  /**
   * The `n`th positional placeholder, counted from 1: `?` on SQLite, `$n` on PostgreSQL, with the
   * cast PostgreSQL needs to type it when given (`::date`: an untyped parameter beside a date is text).
   */
  placeholder(n: number, postgresCast = ''): string {
    return this.isPostgres ? `$${n}${postgresCast}` : '?';
  }

  /** SQL written with `?` placeholders (never inside a string literal), numbered `$1, $2…` on PostgreSQL. */
  positional(sql: string): string {
    if (!this.isPostgres) return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  }

  /**
   * SQL written with named parameters (`:asOf`), bound the way the driver wants: on SQLite a `?`
   * per occurrence, on PostgreSQL one `$n` per name, with the cast given for it (`::date`), since
   * an untyped parameter compared with a date column is otherwise read as text. Only the names in
   * `values` are parameters (`::date` and text such as 'a:b' are left alone); a name whose value
   * is undefined is a programming error and throws.
   */
  named(sql: string, values: Readonly<Record<string, SqlValue | undefined>>, casts: Readonly<Record<string, string>> = {}): BoundSql {
    const names = Object.keys(values);
    if (names.length === 0) return { text: sql, params: [] };
    const params: unknown[] = [];
    const positions = new Map<string, number>();
    const pattern = new RegExp(`(?<![:\\w]):(${names.join('|')})\\b`, 'g');
    const text = sql.replace(pattern, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`No value bound for :${name}`);
      if (!this.isPostgres) {
        params.push(value);
        return '?';
      }
      let position = positions.get(name);
      if (position === undefined) {
        params.push(value);
        position = params.length;
        positions.set(name, position);
      }
      return `$${position}${casts[name] ?? ''}`;
    });
    return { text, params };
  }

  /** The calendar day (UTC) of a timestamp column, comparable with a `YYYY-MM-DD` date. */
  utcDay(column: string): string {
    return this.isPostgres ? `(${column} AT TIME ZONE 'UTC')::date` : `date(${column})`;
  }

  /**
   * A table that lives only for the reading transaction that creates it, filled from `select`
   * (the rows of a ledger table as known on a past day): PostgreSQL drops it at commit; on SQLite
   * it lives in the connection's temp schema until `dropTemporaryTable`.
   */
  createTemporaryTableAs(name: string, select: string): string {
    return this.isPostgres ? `CREATE TEMPORARY TABLE ${name} ON COMMIT DROP AS ${select}` : `CREATE TEMPORARY TABLE ${name} AS ${select}`;
  }

  /** Drops a table made by createTemporaryTableAs (never a permanent one: SQLite names the temp schema). */
  dropTemporaryTable(name: string): string {
    return this.isPostgres ? `DROP TABLE IF EXISTS pg_temp.${name}` : `DROP TABLE IF EXISTS temp.${name}`;
  }

  /**
   * `column < :param` for a timestamp column and a point in time bound with `timestamp()`: a record
   * created before it (what was known by then). SQLite keeps UTC text in more than one precision
   * ('… 21:40:05' from a column default, '… 21:40:05.123' from TypeORM), and '… 21:40:05' sorts
   * before '… 21:40:05.000' as text: both sides are written to the millisecond first.
   */
  recordedBefore(column: string, param: string): string {
    return this.isPostgres ? `${column} < ${param}::timestamptz` : `strftime('%Y-%m-%d %H:%M:%f', ${column}) < strftime('%Y-%m-%d %H:%M:%f', ${param})`;
  }

  /** Whole days from `earlier` to `later`, two date columns or expressions. */
  daysBetween(later: string, earlier: string): string {
    return this.isPostgres ? `(${later} - ${earlier})` : `CAST(julianday(${later}) - julianday(${earlier}) AS INTEGER)`;
  }

  /** A boolean as a bound parameter: SQLite stores booleans as 0 and 1. */
  bool(value: boolean): boolean | number {
    return this.isPostgres ? value : value ? 1 : 0;
  }

  /** A point in time as a bound parameter of a timestamp column: SQLite keeps UTC text, written as TypeORM writes it. */
  timestamp(at: Date): Date | string {
    return this.isPostgres ? at : at.toISOString().replace('T', ' ').replace('Z', '');
  }

  /**
   * `column <= param` for a date column most rows satisfy (asOf is usually today). SQLite would
   * walk the column's index and fetch each row, several times slower than a scan; the unary `+`
   * keeps it off that index. PostgreSQL's planner judges this itself.
   */
  onOrBefore(column: string, param: string): string {
    return this.isPostgres ? `${column} <= ${param}` : `+${column} <= ${param}`;
  }

  /** Appended to a SELECT to lock its rows until the transaction ends; SQLite's writers are serialised already. */
  get forUpdate(): string {
    return this.isPostgres ? ' FOR UPDATE' : '';
  }

  /** A row lock shared with other sharers until the transaction ends, exclusive of `forUpdate` (PostgreSQL; SQLite's writers are serialised). */
  get forShare(): string {
    return this.isPostgres ? ' FOR SHARE' : '';
  }

  /** Whether concurrent claimers can skip each other's locked rows (`FOR UPDATE SKIP LOCKED`). */
  get skipsLockedRows(): boolean {
    return this.isPostgres;
  }

  /**
   * The figures version as one value (`version`), on any connection. A PostgreSQL sequence that
   * was never advanced reports last_value 1 with is_called false, as it does after its first
   * nextval: 0 keeps the two apart.
   */
  get readFiguresVersion(): string {
    return this.isPostgres
      ? 'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS version FROM figures_version'
      : 'SELECT value AS version FROM figures_version WHERE id = 1';
  }

  /**
   * Moves the figures version. PostgreSQL: after the write's commit, on any connection (a sequence
   * moves outside transactions, so inside one a reader could see the new version before the rows
   * it stands for). SQLite: as the last statement inside the writing transaction (its writers are
   * serialised, and the row commits with what it stands for).
   */
  get advanceFiguresVersion(): { sql: string; afterCommit: boolean } {
    return this.isPostgres
      ? { sql: "SELECT nextval('figures_version')", afterCommit: true }
      : { sql: 'UPDATE figures_version SET value = value + 1 WHERE id = 1', afterCommit: false };
  }

  /**
   * A statement that holds an advisory lock on `key` until the transaction ends (shared: many
   * holders at once, none beside an exclusive one), with the key as its one parameter; null on
   * SQLite, where the write lock already serialises every writer.
   */
  advisoryTransactionLock(shared: boolean): string | null {
    if (!this.isPostgres) return null;
    return shared ? 'SELECT pg_advisory_xact_lock_shared(hashtext($1))' : 'SELECT pg_advisory_xact_lock(hashtext($1))';
  }
}
