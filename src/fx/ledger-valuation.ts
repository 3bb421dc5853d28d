import { Injectable } from '@nestjs/common';
import type Decimal from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import { dateOnly } from '../common/dates';
import type { RateQuote } from '../common/money/conversion';
import { convertFixed, fixedMinorRate } from '../common/money/fixed-point';
import { UnitOfWork } from '../database/unit-of-work';
import { PIVOTS, RateTable } from './rate-table';

/** The currencies every pledge and disbursement is valued in (the funding gap's display currencies). */
export const REPORTING_CURRENCIES = ['USD', 'EUR', 'AZN'] as const;
export type ReportingCurrency = (typeof REPORTING_CURRENCIES)[number];

/** The column holding a row's value in each reporting currency. */
export const VALUE_COLUMN: Record<ReportingCurrency, string> = { USD: 'value_usd_minor', EUR: 'value_eur_minor', AZN: 'value_azn_minor' };

/** UTC calendar day of a timestamp column, on either database. */
export function utcDaySql(isPostgres: boolean, column: string): string {
  return isPostgres ? `(${column} AT TIME ZONE 'UTC')::date` : `date(${column})`;
}

/**
 * A pledge's value date in SQL: its own date, else its source document's, else the day it was
 * recorded. One definition for valuing pledges and for choosing which stand on a date.
 */
export function pledgeValueDateSql(isPostgres: boolean, alias: string): string {
  return `COALESCE(${alias}.pledged_on, ${alias}.source_date, ${utcDaySql(isPostgres, `${alias}.created_at`)})`;
}

/** Taken by valuation and by every write that can make a value stale, so neither misses the other. */
const VALUATION_LOCK = 'mat:ledger-valuation';

/** Ids per valuation window: at most this many rows per statement, a bound on memory and on bound parameters (5 per row). */
const BATCH = 2_000;

interface PendingRow {
  id: number;
  currency: string | null;
  amountMinor: bigint | null;
  valueDate: string;
}

/**
 * Each pledge and disbursement carries its value in USD, EUR and AZN, converted at its own value
 * date by FxService's rule (nearest earlier published rate; direct, inverse or through EUR and USD)
 * and rounded once, half to even, to the cent: the same figure the pledge's own page shows. The
 * funding gap is then sums of these columns instead of a conversion per currency and day.
 *
 * Values are filled lazily: writes leave `valued_at` NULL (a new row, a pledge whose value date
 * moved, rows a newly published rate may change), and `valuePending` values those rows before the
 * gap is computed. A row without a usable rate keeps a NULL value; the gap then reports the missing rate.
 */
@Injectable()
export class LedgerValuation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** A pledge's value date (alias `p`), as the funding gap reads it. */
  pledgeValueDate(alias = 'p'): string {
    return pledgeValueDateSql(this.isPostgres, alias);
  }

  private param(n: number): string {
    return this.isPostgres ? `$${n}` : '?';
  }

  /** Values every row waiting for it. Cheap when none waits: two index probes. */
  async valuePending(): Promise<{ pledges: number; disbursements: number }> {
    const waiting = await this.dataSource.query(
      'SELECT 1 AS waiting WHERE EXISTS (SELECT 1 FROM pledges WHERE valued_at IS NULL) OR EXISTS (SELECT 1 FROM disbursements WHERE valued_at IS NULL)',
    );
    if (waiting.length === 0) return { pledges: 0, disbursements: 0 };
    return this.uow.transaction(
      async (tx) => {
        await this.uow.lockKey(tx, VALUATION_LOCK);
        const rates = new Valuer(new RateTable(await this.loadRates(tx)));
        const pledges = await this.valueTable(tx, 'pledges', rates, (from) =>
          tx.query(
            `SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, ${this.pledgeValueDate()} AS value_date
               FROM pledges p WHERE p.valued_at IS NULL AND p.id >= ${this.param(1)} AND p.id < ${this.param(2)} ORDER BY p.id`,
            [from, from + BATCH],
          ),
        );
        const disbursements = await this.valueTable(tx, 'disbursements', rates, (from) =>
          tx.query(
            `SELECT d.id AS id,
                    CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END AS currency,
                    CAST(CASE WHEN p.kind = 'cash' THEN d.amount_minor ELSE d.quantity * p.unit_value_minor END AS TEXT) AS amount,
                    d.received_on AS value_date
               FROM disbursements d JOIN pledges p ON p.id = d.pledge_id
              WHERE d.valued_at IS NULL AND d.id >= ${this.param(1)} AND d.id < ${this.param(2)} ORDER BY d.id`,
            [from, from + BATCH],
          ),
        );
        return { pledges, disbursements };
      },
      { derivedOnly: true },
    );
  }

  /**
   * Values one table's waiting rows a window of BATCH ids at a time, jumping from one waiting row
   * to the next through the partial index. Windows rather than LIMIT: PostgreSQL, with statistics
   * that do not yet know how many rows wait (just after a bulk load or this migration), plans
   * `ORDER BY id LIMIT n` as a scan of every waiting row per batch.
   */
  private async valueTable(
    tx: EntityManager,
    table: 'pledges' | 'disbursements',
    valuer: Valuer,
    window: (fromId: number) => Promise<Array<Record<string, unknown>>>,
  ): Promise<number> {
    let count = 0;
    let from = await this.nextWaiting(tx, table, 0);
    while (from !== null) {
      const rows = (await window(from)).map(toPendingRow);
      if (rows.length > 0) await this.store(tx, table, rows, valuer);
      count += rows.length;
      from = await this.nextWaiting(tx, table, from + BATCH - 1);
    }
    return count;
  }

  /** The lowest id above `after` that waits for valuation, or null. */
  private async nextWaiting(tx: EntityManager, table: 'pledges' | 'disbursements', after: number): Promise<number | null> {
    const [row] = await tx.query(`SELECT MIN(id) AS id FROM ${table} WHERE valued_at IS NULL AND id > ${this.param(1)}`, [after]);
    return row?.id === null || row?.id === undefined ? null : Number(row.id);
  }

  /**
   * One UPDATE … FROM (VALUES …) per batch; runs unchanged on SQLite (3.33+) and PostgreSQL. A
   * receipt also records the currency it was valued from (NULL: it carries no money).
   */
  private async store(tx: EntityManager, table: 'pledges' | 'disbursements', rows: PendingRow[], valuer: Valuer): Promise<void> {
    const receipts = table === 'disbursements';
    const types = ['INTEGER', 'BIGINT', 'BIGINT', 'BIGINT', ...(receipts ? ['VARCHAR(3)'] : [])];
    const params: Array<string | number | null> = [];
    const tuples = rows.map((row) => {
      const start = params.length;
      params.push(row.id, ...REPORTING_CURRENCIES.map((to) => valuer.value(row, to)?.toString() ?? null));
      if (receipts) params.push(row.amountMinor === null ? null : row.currency);
      return `(${types.map((type, i) => `CAST(${this.param(start + i + 1)} AS ${type})`).join(', ')})`;
    });
    const copied = receipts ? ', value_currency = v.column5' : '';
    // The id bounds keep PostgreSQL from hashing every waiting row of the table for each batch.
    const bounds = params.length;
    params.push(rows[0].id, rows[rows.length - 1].id);
    await tx.query(
      `UPDATE ${table} SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP${copied}
         FROM (VALUES ${tuples.join(', ')}) AS v
        WHERE ${table}.id = v.column1 AND ${table}.valued_at IS NULL AND ${table}.id BETWEEN ${this.param(bounds + 1)} AND ${this.param(bounds + 2)}`,
      params,
    );
  }

  /** Every published rate between the ledger's currencies, the reporting currencies and the pivots. */
  private async loadRates(tx: EntityManager): Promise<RateQuote[]> {
    const ledger: Array<{ currency: string }> = await tx.query(
      `SELECT currency FROM pledges WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency
       UNION SELECT currency FROM disbursements WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency`,
    );
    const currencies = [...new Set([...REPORTING_CURRENCIES, ...PIVOTS, ...ledger.map((r) => r.currency)])];
    const list = currencies.map((c) => `'${c.replace(/[^A-Z]/g, '')}'`).join(', ');
    const rows: Array<Record<string, unknown>> = await tx.query(
      `SELECT base, quote, rate_date, rate, source FROM fx_rates WHERE base IN (${list}) AND quote IN (${list}) ORDER BY base, quote, rate_date`,
    );
    return rows.map((r) => ({
      base: String(r.base),
      quote: String(r.quote),
      rate: String(r.rate),
      date: dateOnly(r.rate_date as string) as string,
      source: String(r.source),
    }));
  }

  /**
   * Inside a transaction that adds rates: rows whose value a new rate may change wait for
   * valuation again. A rate dated `d` can serve only rows valued on or after `d`. Every leg of a
   * conversion path touches the hub (USD, EUR, AZN): a rate between two hub currencies may serve
   * any row, one between a hub currency and another only rows in that other currency, and one
   * between two currencies outside the hub none.
   */
  async ratesAdded(tx: EntityManager, rates: ReadonlyArray<Pick<RateQuote, 'base' | 'quote' | 'date'>>): Promise<void> {
    if (rates.length === 0) return;
    await this.uow.lockKey(tx, VALUATION_LOCK);
    const hub = new Set<string>([...REPORTING_CURRENCIES, ...PIVOTS]);
    const earliest = new Map<string, string>();
    for (const r of rates) {
      const outside = [r.base, r.quote].filter((c) => !hub.has(c));
      // Two currencies outside the hub: no conversion path uses this rate (every leg touches the hub).
      if (outside.length === 2) continue;
      const key = outside[0] ?? '*';
      const known = earliest.get(key);
      if (!known || r.date < known) earliest.set(key, r.date);
    }
    for (const [key, from] of earliest) {
      if (key === '*') {
        await tx.query(`UPDATE pledges SET valued_at = NULL WHERE valued_at IS NOT NULL AND ${this.pledgeValueDate('pledges')} >= ${this.param(1)}`, [from]);
        await tx.query(`UPDATE disbursements SET valued_at = NULL WHERE valued_at IS NOT NULL AND received_on >= ${this.param(1)}`, [from]);
        continue;
      }
      const list = `'${key.replace(/[^A-Z]/g, '')}'`;
      await tx.query(
        `UPDATE pledges SET valued_at = NULL WHERE valued_at IS NOT NULL AND currency IN (${list}) AND ${this.pledgeValueDate('pledges')} >= ${this.param(1)}`,
        [from],
      );
      await tx.query(
        `UPDATE disbursements SET valued_at = NULL WHERE valued_at IS NOT NULL AND value_currency IN (${list}) AND received_on >= ${this.param(1)}`,
        [from],
      );
    }
  }

  /** Inside a transaction that moves a pledge's value date: its value waits for valuation again. */
  async pledgeMoved(tx: EntityManager, pledgeId: number): Promise<void> {
    await this.uow.lockKey(tx, VALUATION_LOCK);
    await tx.query(`UPDATE pledges SET valued_at = NULL WHERE id = ${this.param(1)}`, [pledgeId]);
  }
}

/** Converts rows with a RateTable, one fixed-point rate per (currency, date, target) worked out once. */
class Valuer {
  private readonly rates = new Map<string, { fixed: bigint; exact: Decimal } | null>();

  constructor(private readonly table: RateTable) {}

  value(row: PendingRow, to: ReportingCurrency): bigint | null {
    if (row.amountMinor === null || row.currency === null) return null;
    if (row.currency === to) return row.amountMinor;
    const key = `${row.currency}>${to}@${row.valueDate}`;
    let rate = this.rates.get(key);
    if (rate === undefined) {
      const chained = this.table.rate(row.currency, to, row.valueDate);
      rate = chained ? { fixed: fixedMinorRate(row.currency, to, chained.rate), exact: chained.rate } : null;
      this.rates.set(key, rate);
    }
    return rate ? convertFixed({ minor: row.amountMinor, currency: row.currency }, to, rate.fixed, rate.exact) : null;
  }
}

function toPendingRow(r: Record<string, unknown>): PendingRow {
  return {
    id: Number(r.id),
    currency: (r.currency as string | null) ?? null,
    amountMinor: r.amount === null || r.amount === undefined ? null : BigInt(r.amount as string),
    valueDate: dateOnly(r.value_date as string) as string,
  };
}
