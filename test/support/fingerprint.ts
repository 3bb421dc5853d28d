import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * What a refused request must not change, measured two ways that check each other:
 *
 * - `fingerprint`: every table's row count and a hash of its rows. Tables larger than
 *   `HASHED_ROWS_LIMIT` (the seeded ECB rate history: ~180,000 rows, three seconds to hash on
 *   SQLite) are hashed only when asked (`full`), and counted always.
 * - `WriteLog`: triggers on every table that record each row inserted, deleted or updated, in
 *   `test_write_log`. Exact and cheap per request; the full hashes taken around a whole run show
 *   that it missed nothing (`unloggedChanges`).
 *
 * Left out of both are the things that legitimately move without a write by the request being
 * judged:
 * - `auth_tokens`: signing in (and failing to) issues and revokes tokens and sessions;
 * - `sign_in_buckets` and `user_sign_in_addresses`: a sign-in attempt is counted before its
 *   password is checked, and a success remembers the address, by design (auth/sign-in-throttle);
 * - `users.failed_logins` and `locked_until` (no longer written since the sign-in buckets);
 * - the delivery state of `digest_outbox` (status, attempts, times, last error): the sender works
 *   through the outbox on its own schedule;
 * - the derived values of pledges and receipts in USD, EUR and AZN (`value_*`, `valued_at`):
 *   the valuation worker refills them in the background after a rate arrives
 *   (ledger/ledger-valuation.ts); `WriteLog.install(…, { everyColumn: true })` watches them too;
 * - `figures_version` (SQLite): every committed write moves it, a sign-in's too (database/unit-of-work.ts);
 * - the migrations table, and the log itself.
 */
const SKIPPED_TABLES = new Set([
  'auth_tokens',
  'sign_in_buckets',
  'user_sign_in_addresses',
  'figures_version',
  'migrations',
  'typeorm_metadata',
  'test_write_log',
]);
const DERIVED_VALUES = ['value_usd_minor', 'value_eur_minor', 'value_azn_minor', 'valued_at'];
const VOLATILE_COLUMNS: Record<string, readonly string[]> = {
  users: ['failed_logins', 'locked_until'],
  pledges: DERIVED_VALUES,
  disbursements: [...DERIVED_VALUES, 'value_currency'],
  digest_outbox: ['status', 'attempts', 'next_attempt_at', 'locked_until', 'last_error', 'sent_at'],
};
const HASHED_ROWS_LIMIT = 5_000;

const isPostgres = (dataSource: DataSource) => dataSource.options.type === 'postgres';

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = isPostgres(dataSource)
    ? await dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
    : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
  return rows.map((r) => r.name).filter((name) => !SKIPPED_TABLES.has(name));
}

async function columnsOf(dataSource: DataSource, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = isPostgres(dataSource)
    ? await dataSource.query(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      )
    : await dataSource.query(`SELECT name FROM pragma_table_info('${table}')`);
  return rows.map((r) => r.name);
}

export interface Fingerprint {
  /** Rows per table. */
  counts: Record<string, number>;
  /** A hash of each table's rows; null for a large table not hashed this time. */
  tables: Record<string, string | null>;
}

export async function fingerprint(dataSource: DataSource, opts: { full?: boolean } = {}): Promise<Fingerprint> {
  const counts: Record<string, number> = {};
  const tables: Record<string, string | null> = {};
  for (const table of await tablesOf(dataSource)) {
    const [{ n }] = await dataSource.query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM "${table}"`);
    counts[table] = Number(n);
    if (!opts.full && counts[table] > HASHED_ROWS_LIMIT) {
      tables[table] = null;
      continue;
    }
    const rows: Array<Record<string, unknown>> = await dataSource.query(`SELECT * FROM "${table}" ORDER BY 1`);
    const volatile = VOLATILE_COLUMNS[table] ?? [];
    const hash = createHash('sha256');
    for (const row of rows) {
      for (const column of volatile) delete row[column];
      hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
      hash.update('\n');
    }
    tables[table] = hash.digest('hex');
  }
  return { counts, tables };
}

/** The tables whose count or (hashed in both) rows differ, with their counts. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...Object.keys(before.counts), ...Object.keys(after.counts)]);
  return [...names]
    .filter((t) => before.counts[t] !== after.counts[t] || (before.tables[t] !== null && after.tables[t] !== null && before.tables[t] !== after.tables[t]))
    .map((t) => `${t} (${before.counts[t] ?? 0} → ${after.counts[t] ?? 0} rows)`);
}

/** Every row written to any table (but the volatile columns above), recorded by triggers. */
export class WriteLog {
  private seen = 0;

  private constructor(private readonly dataSource: DataSource) {}

  /** `everyColumn`: the volatile columns above are watched too (a read must not write even those). */
  static async install(dataSource: DataSource, options: { everyColumn?: boolean } = {}): Promise<WriteLog> {
    const pg = isPostgres(dataSource);
    await dataSource.query(
      pg
        ? `CREATE TABLE test_write_log (id SERIAL PRIMARY KEY, table_name TEXT NOT NULL, op TEXT NOT NULL)`
        : `CREATE TABLE test_write_log (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, op TEXT NOT NULL)`,
    );
    if (pg) {
      await dataSource.query(
        `CREATE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO test_write_log (table_name, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$`,
      );
    }
    for (const table of await tablesOf(dataSource)) {
      const volatile = options.everyColumn ? [] : (VOLATILE_COLUMNS[table] ?? []);
      const watched = (await columnsOf(dataSource, table)).filter((c) => !volatile.includes(c)).map((c) => `"${c}"`);
      if (pg) {
        await dataSource.query(
          `CREATE TRIGGER test_log_${table} AFTER INSERT OR DELETE OR UPDATE OF ${watched.join(', ')} ON "${table}" FOR EACH ROW EXECUTE FUNCTION test_log_write()`,
        );
        continue;
      }
      for (const [op, event] of [
        ['INSERT', 'INSERT'],
        ['DELETE', 'DELETE'],
        ['UPDATE', `UPDATE OF ${watched.join(', ')}`],
      ]) {
        await dataSource.query(
          `CREATE TRIGGER test_log_${table}_${op.toLowerCase()} AFTER ${event} ON "${table}" BEGIN INSERT INTO test_write_log (table_name, op) VALUES ('${table}', '${op}'); END`,
        );
      }
    }
    return new WriteLog(dataSource);
  }

  /** The writes since the last call, as "table op" with counts. */
  async since(): Promise<string[]> {
    const rows: Array<{ id: number | string; table_name: string; op: string }> = await this.dataSource.query(
      `SELECT id, table_name, op FROM test_write_log WHERE id > ${this.seen} ORDER BY id`,
    );
    if (rows.length) this.seen = Number(rows[rows.length - 1].id);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(`${r.table_name} ${r.op.toLowerCase()}`, (counts.get(`${r.table_name} ${r.op.toLowerCase()}`) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${k} ×${n}`);
  }

  /** Every table the log has seen written. */
  async tablesWritten(): Promise<Set<string>> {
    const rows: Array<{ table_name: string }> = await this.dataSource.query(`SELECT DISTINCT table_name FROM test_write_log`);
    return new Set(rows.map((r) => r.table_name));
  }
}

/** Tables whose full fingerprint changed although the write log never saw them written: the log missed a write. */
export async function unloggedChanges(before: Fingerprint, after: Fingerprint, log: WriteLog): Promise<string[]> {
  const written = await log.tablesWritten();
  return changedTables(before, after).filter((t) => !written.has(t.split(' ')[0]));
}
