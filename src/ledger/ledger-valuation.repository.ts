import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dateOnly } from '../common/dates';
import type { RateQuote } from '../common/money/conversion';
import type { Transaction } from '../database/unit-of-work';

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

/** The two tables whose rows carry stored values. */
export type ValuedTable = 'pledges' | 'disbursements';

/** A row waiting for valuation: the money it carries and the date it is valued at. */
export interface PendingRow {
  id: number;
  currency: string | null;
  amountMinor: bigint | null;
  valueDate: string;
}

/** A row's values in the reporting currencies (null: no usable rate), and for a receipt the currency it was valued from. */
export interface RowValues {
  id: number;
  values: Record<ReportingCurrency, bigint | null>;
  valueCurrency: string | null;
}

/** A waiting row as the driver returns it: the amount as text (a bigint survives), dates as the driver gives them. */
interface PendingRowRaw {
  id: number | string;
  currency: string | null;
  amount: string | null;
  value_date: string | Date;
}

/**
 * The stored values of pledges and disbursements (their value_*_minor and valued_at columns), and
 * the published rates they are valued with. LedgerValuation decides what to value and converts;
 * this runs its SQL, the same text on SQLite and PostgreSQL apart from placeholders and the UTC day.
 */
@Injectable()
export class LedgerValuationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** A pledge's value date (alias `p`), as the funding gap reads it. */
  private pledgeValueDate(alias = 'p'): string {
    return pledgeValueDateSql(this.isPostgres, alias);
  }

  private param(n: number): string {
    return this.isPostgres ? `$${n}` : '?';
  }

  /** Whether any pledge or disbursement waits for valuation: two index probes. */
  async anyWaiting(): Promise<boolean> {
    const waiting = await this.dataSource.query<Array<{ waiting: number }>>(
      'SELECT 1 AS waiting WHERE EXISTS (SELECT 1 FROM pledges WHERE valued_at IS NULL) OR EXISTS (SELECT 1 FROM disbursements WHERE valued_at IS NULL)',
    );
    return waiting.length > 0;
  }

  /** The lowest id above `after` that waits for valuation, or null. */
  async nextWaiting(tx: Transaction, table: ValuedTable, after: number): Promise<number | null> {
    const [row] = await tx.query<Array<{ id: number | string | null }>>(
      `SELECT MIN(id) AS id FROM ${table} WHERE valued_at IS NULL AND id > ${this.param(1)}`,
      [after],
    );
    return row?.id === null || row?.id === undefined ? null : Number(row.id);
  }

  /** The waiting rows of `table` with ids in [fromId, toId), in id order. */
  async waitingRows(tx: Transaction, table: ValuedTable, fromId: number, toId: number): Promise<PendingRow[]> {
    const rows =
      table === 'pledges'
        ? await tx.query<PendingRowRaw[]>(
            `SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, ${this.pledgeValueDate()} AS value_date
               FROM pledges p WHERE p.valued_at IS NULL AND p.id >= ${this.param(1)} AND p.id < ${this.param(2)} ORDER BY p.id`,
            [fromId, toId],
          )
        : await tx.query<PendingRowRaw[]>(
            `SELECT d.id AS id,
                    CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END AS currency,
                    CAST(CASE WHEN p.kind = 'cash' THEN d.amount_minor ELSE d.quantity * p.unit_value_minor END AS TEXT) AS amount,
                    d.received_on AS value_date
               FROM disbursements d JOIN pledges p ON p.id = d.pledge_id
              WHERE d.valued_at IS NULL AND d.id >= ${this.param(1)} AND d.id < ${this.param(2)} ORDER BY d.id`,
            [fromId, toId],
          );
    return rows.map(toPendingRow);
  }

  /**
   * One UPDATE … FROM (VALUES …) per batch; runs unchanged on SQLite (3.33+) and PostgreSQL. A
   * receipt also records the currency it was valued from (NULL: it carries no money). `rows` are
   * in id order.
   */
  async storeValues(tx: Transaction, table: ValuedTable, rows: readonly RowValues[]): Promise<void> {
    const receipts = table === 'disbursements';
    const types = ['INTEGER', 'BIGINT', 'BIGINT', 'BIGINT', ...(receipts ? ['VARCHAR(3)'] : [])];
    const params: Array<string | number | null> = [];
    const tuples = rows.map((row) => {
      const start = params.length;
      params.push(row.id, ...REPORTING_CURRENCIES.map((to) => row.values[to]?.toString() ?? null));
      if (receipts) params.push(row.valueCurrency);
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

  /** The currencies of the money in waiting rows. */
  async currenciesWaiting(tx: Transaction): Promise<string[]> {
    const rows = await tx.query<Array<{ currency: string }>>(
      `SELECT currency FROM pledges WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency
       UNION SELECT currency FROM disbursements WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency`,
    );
    return rows.map((r) => r.currency);
  }

  /** Every published rate whose base and quote are both among `currencies`, by pair and date. */
  async ratesAmong(tx: Transaction, currencies: readonly string[]): Promise<RateQuote[]> {
    const list = currencies.map((c) => `'${c.replace(/[^A-Z]/g, '')}'`).join(', ');
    const rows = await tx.query<Array<{ base: string; quote: string; rate_date: string | Date; rate: string; source: string }>>(
      `SELECT base, quote, rate_date, rate, source FROM fx_rates WHERE base IN (${list}) AND quote IN (${list}) ORDER BY base, quote, rate_date`,
    );
    return rows.map((r) => ({
      base: String(r.base),
      quote: String(r.quote),
      rate: String(r.rate),
      date: dateOnly(r.rate_date) as string,
      source: String(r.source),
    }));
  }

  /**
   * Rows valued on or after `from` wait for valuation again: every row (`currency` null), or only
   * rows whose money is in `currency`.
   */
  async revalueFrom(tx: Transaction, from: string, currency: string | null): Promise<void> {
    if (currency === null) {
      await tx.query(`UPDATE pledges SET valued_at = NULL WHERE valued_at IS NOT NULL AND ${this.pledgeValueDate('pledges')} >= ${this.param(1)}`, [from]);
      await tx.query(`UPDATE disbursements SET valued_at = NULL WHERE valued_at IS NOT NULL AND received_on >= ${this.param(1)}`, [from]);
      return;
    }
    const list = `'${currency.replace(/[^A-Z]/g, '')}'`;
    await tx.query(
      `UPDATE pledges SET valued_at = NULL WHERE valued_at IS NOT NULL AND currency IN (${list}) AND ${this.pledgeValueDate('pledges')} >= ${this.param(1)}`,
      [from],
    );
    await tx.query(
      `UPDATE disbursements SET valued_at = NULL WHERE valued_at IS NOT NULL AND value_currency IN (${list}) AND received_on >= ${this.param(1)}`,
      [from],
    );
  }

  /** One pledge waits for valuation again. */
  async revaluePledge(tx: Transaction, pledgeId: number): Promise<void> {
    await tx.query(`UPDATE pledges SET valued_at = NULL WHERE id = ${this.param(1)}`, [pledgeId]);
  }
}

function toPendingRow(r: PendingRowRaw): PendingRow {
  return {
    id: Number(r.id),
    currency: r.currency ?? null,
    amountMinor: r.amount === null || r.amount === undefined ? null : BigInt(r.amount),
    valueDate: dateOnly(r.value_date) as string,
  };
}
