import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dateOnly } from '../common/dates';
import { SqlDialect } from '../database/sql-dialect';
import { toBigInt } from '../database/transformers';
import { CURRENT_LEDGER, type LedgerTables } from './ledger-tables';
import type { Transaction } from '../database/unit-of-work';
import { REPORTING_CURRENCIES, type ReportingCurrency } from './reporting-currencies';
import { pledgeValueDateSql } from './value-date';

/** The column holding a row's value in each reporting currency. */
export const VALUE_COLUMN: Record<ReportingCurrency, string> = { USD: 'value_usd_minor', EUR: 'value_eur_minor', AZN: 'value_azn_minor' };

/** The two tables whose rows carry stored values. */
export type ValuedTable = 'pledges' | 'disbursements';

/** What a pledge is valued from: its money and its value date. */
export interface PledgeValuationFacts {
  id: number;
  currency: string | null;
  amountMinor: bigint | null;
  valueDate: string;
}

/** What a receipt is valued from: what it carries and, for goods, its pledge's currency and unit value (`receiptMoney`). */
export interface ReceiptValuationFacts {
  id: number;
  amountMinor: bigint | null;
  currency: string | null;
  quantity: number | null;
  receivedOn: string;
  pledgeKind: 'cash' | 'in_kind';
  pledgeCurrency: string | null;
  unitValueMinor: bigint | null;
}

/** A row's values in the reporting currencies (null: no usable rate or no money), and for a receipt the currency it was valued from. */
export interface RowValues {
  id: number;
  values: Record<ReportingCurrency, bigint | null>;
  valueCurrency: string | null;
}

type Raw = Record<string, unknown>;

/** Ids per IN list: under SQLite's bound-parameter limit, and a plan PostgreSQL keeps. */
const IDS_PER_QUERY = 900;

/**
 * The stored values of pledges and disbursements (their value_*_minor, value_currency and
 * valued_at columns): which rows wait, what they are valued from, and the values once worked
 * out. LedgerValuation decides what to value and converts; this runs its SQL.
 */
@Injectable()
export class LedgerValuationRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  /**
   * Whether any pledge or disbursement waits for valuation: two probes of the partial indexes.
   * `id > 0` (every id) makes SQLite take them: without it, it scanned a covering index of every
   * receipt that holds valued_at (13 ms at 300k receipts, on every read of the figures).
   */
  async anyWaiting(reader: Transaction = this.dataSource.manager): Promise<boolean> {
    const waiting = await reader.query<Array<{ waiting: number }>>(
      'SELECT 1 AS waiting WHERE EXISTS (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0) OR EXISTS (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0)',
    );
    return waiting.length > 0;
  }

  /** How many rows wait for valuation, counted up to `atMost` per table (a bounded walk of the partial indexes). */
  async countWaiting(atMost: number, reader: Transaction = this.dataSource.manager): Promise<number> {
    const limit = Math.max(0, Math.trunc(atMost));
    const [row] = await reader.query<Array<{ waiting: number | string }>>(
      `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0 LIMIT ${this.dialect.placeholder(1)}) AS p)
            + (SELECT COUNT(*) FROM (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0 LIMIT ${this.dialect.placeholder(2)}) AS d) AS waiting`,
      [limit, limit],
    );
    return Number(row?.waiting ?? 0);
  }

  /** The lowest id above `after` that waits for valuation, or null (`table` may be a known-on copy of a valued table: ledger-tables.ts). */
  async nextWaiting(tx: Transaction, table: string, after: number): Promise<number | null> {
    const [row] = await tx.query<Array<{ id: number | string | null }>>(
      `SELECT MIN(id) AS id FROM ${table} WHERE valued_at IS NULL AND id > ${this.dialect.placeholder(1)}`,
      [after],
    );
    return row?.id === null || row?.id === undefined ? null : Number(row.id);
  }

  /** The waiting pledges with ids in [fromId, toId), in id order. */
  async waitingPledges(tx: Transaction, fromId: number, toId: number): Promise<PledgeValuationFacts[]> {
    const rows = await tx.query<Raw[]>(
      `SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, ${pledgeValueDateSql(this.dialect, 'p')} AS value_date
         FROM pledges p WHERE p.valued_at IS NULL AND p.id >= ${this.dialect.placeholder(1)} AND p.id < ${this.dialect.placeholder(2)} ORDER BY p.id`,
      [fromId, toId],
    );
    return rows.map(toPledgeFacts);
  }

  /** The waiting receipts with ids in [fromId, toId), in id order. */
  async waitingReceipts(tx: Transaction, fromId: number, toId: number): Promise<ReceiptValuationFacts[]> {
    const rows = await tx.query<Raw[]>(
      `${RECEIPT_FACTS} WHERE d.valued_at IS NULL AND d.id >= ${this.dialect.placeholder(1)} AND d.id < ${this.dialect.placeholder(2)} ORDER BY d.id`,
      [fromId, toId],
    );
    return rows.map(toReceiptFacts);
  }

  /** What these pledges are valued from (a read valuing waiting rows in memory), inside `reader`. */
  async pledgeFactsOf(reader: Transaction, ids: readonly number[]): Promise<PledgeValuationFacts[]> {
    const facts: PledgeValuationFacts[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const batch = ids.slice(i, i + IDS_PER_QUERY);
      const rows = await reader.query<Raw[]>(
        `SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, ${pledgeValueDateSql(this.dialect, 'p')} AS value_date
           FROM pledges p WHERE p.id IN (${this.list(batch.length)})`,
        batch,
      );
      facts.push(...rows.map(toPledgeFacts));
    }
    return facts;
  }

  /** What these receipts are valued from, inside `reader`. */
  async receiptFactsOf(reader: Transaction, ids: readonly number[]): Promise<ReceiptValuationFacts[]> {
    const facts: ReceiptValuationFacts[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const batch = ids.slice(i, i + IDS_PER_QUERY);
      const rows = await reader.query<Raw[]>(`${RECEIPT_FACTS} WHERE d.id IN (${this.list(batch.length)})`, batch);
      facts.push(...rows.map(toReceiptFacts));
    }
    return facts;
  }

  private list(count: number): string {
    return Array.from({ length: count }, (_, i) => this.dialect.placeholder(i + 1)).join(', ');
  }

  /**
   * Stores values worked out by valuation, one UPDATE … FROM (VALUES …) per batch (SQLite 3.33+
   * and PostgreSQL). With `onlyWaiting`, a row is written only while it still waits, so a value
   * worked out before a rate arrived never replaces the mark that rate left. `rows` are in id order.
   */
  async storeValues(tx: Transaction, table: ValuedTable, rows: readonly RowValues[], onlyWaiting: boolean): Promise<void> {
    if (rows.length === 0) return;
    const receipts = table === 'disbursements';
    const types = ['INTEGER', 'BIGINT', 'BIGINT', 'BIGINT', ...(receipts ? ['VARCHAR(3)'] : [])];
    const params: Array<string | number | null> = [];
    const tuples = rows.map((row) => {
      const start = params.length;
      params.push(row.id, ...REPORTING_CURRENCIES.map((to) => row.values[to]?.toString() ?? null));
      if (receipts) params.push(row.valueCurrency);
      return `(${types.map((type, i) => `CAST(${this.dialect.placeholder(start + i + 1)} AS ${type})`).join(', ')})`;
    });
    const copied = receipts ? ', value_currency = v.column5' : '';
    // The id bounds keep PostgreSQL from hashing every waiting row of the table for each batch.
    const bounds = params.length;
    params.push(rows[0].id, rows[rows.length - 1].id);
    await tx.query(
      `UPDATE ${table} SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP${copied}
         FROM (VALUES ${tuples.join(', ')}) AS v
        WHERE ${table}.id = v.column1${onlyWaiting ? ` AND ${table}.valued_at IS NULL` : ''} AND ${table}.id BETWEEN ${this.dialect.placeholder(bounds + 1)} AND ${this.dialect.placeholder(bounds + 2)}`,
      params,
    );
  }

  /** The currencies of the money in waiting rows (a receipt of goods carries its pledge's). */
  async currenciesWaiting(reader: Transaction, t: LedgerTables = CURRENT_LEDGER): Promise<string[]> {
    const rows = await reader.query<Array<{ currency: string }>>(
      `SELECT currency FROM ${t.pledges} WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency
       UNION SELECT CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END AS currency
               FROM ${t.disbursements} d JOIN ${t.pledges} p ON p.id = d.pledge_id WHERE d.valued_at IS NULL GROUP BY 1`,
    );
    return rows.flatMap((r) => (r.currency ? [r.currency] : []));
  }

  // --- revaluations under way (pending_revaluations) ---------------------------------------------

  /**
   * Records that rows valued on or after `from` must be valued again: every row (`currency` null),
   * or only rows whose money is in `currency`. Nothing is marked yet: `markWindow` does that, a
   * window of ids at a time, from the lowest id of each table. Returns the revaluation.
   */
  async recordRevaluation(tx: Transaction, from: string, currency: string | null): Promise<PendingRevaluation> {
    const p = this.dialect.placeholder.bind(this.dialect);
    const [row] = await tx.query<Raw[]>(
      `INSERT INTO pending_revaluations (from_date, currency, next_pledge_id, next_receipt_id) VALUES (${p(1)}, ${p(2)}, 0, 0) RETURNING ${PENDING_COLUMNS}`,
      [from, currency],
    );
    return toPendingRevaluation(row);
  }

  /** The revaluations still marking rows, oldest first (a handful at most: one per back-dated rate import). */
  async pendingRevaluations(reader: Transaction = this.dataSource.manager): Promise<PendingRevaluation[]> {
    const rows = await reader.query<Raw[]>(`${PENDING} ORDER BY id`);
    return rows.map(toPendingRevaluation);
  }

  /**
   * Marks the rows of the next window of `revaluation`: of the next `rows` pledges by id, or once
   * every pledge is done, of the next `rows` receipts. A row is marked when it was valued on or
   * after the revaluation's date (its value date; a receipt's date) and, for one currency, when its
   * money is in that currency. Its old values stay until the worker replaces them. The position
   * moves past the window; once both tables are done the revaluation is deleted. Returns whether
   * it is done. One bounded UPDATE, whatever the size of the ledger.
   */
  async markWindow(tx: Transaction, revaluation: PendingRevaluation, rows: number): Promise<boolean> {
    const p = this.dialect.placeholder.bind(this.dialect);
    const pledges = revaluation.nextPledgeId !== null;
    const table: ValuedTable = pledges ? 'pledges' : 'disbursements';
    const from = (pledges ? revaluation.nextPledgeId : revaluation.nextReceiptId) ?? 0;
    const [bound] = await tx.query<Array<{ id: number | string }>>(`SELECT id FROM ${table} WHERE id >= ${p(1)} ORDER BY id LIMIT 1 OFFSET ${p(2)}`, [
      from,
      Math.max(1, Math.trunc(rows)),
    ]);
    const upTo = bound === undefined ? null : Number(bound.id);
    const params: unknown[] = [revaluation.from, from];
    const filter = [`valued_at IS NOT NULL`, `id >= ${p(2)}`];
    if (upTo !== null) filter.push(`id < ${p(params.push(upTo))}`);
    if (revaluation.currency !== null) filter.push(`${pledges ? 'currency' : 'value_currency'} = ${p(params.push(revaluation.currency))}`);
    const dated = pledges ? pledgeValueDateSql(this.dialect, 'pledges') : 'received_on';
    await tx.query(`UPDATE ${table} SET valued_at = NULL WHERE ${dated} >= ${p(1)} AND ${filter.join(' AND ')}`, params);
    if (upTo === null && !pledges) {
      await tx.query(`DELETE FROM pending_revaluations WHERE id = ${p(1)}`, [revaluation.id]);
      return true;
    }
    const next = pledges ? { pledge: upTo, receipt: revaluation.nextReceiptId } : { pledge: null, receipt: upTo };
    await tx.query(`UPDATE pending_revaluations SET next_pledge_id = ${p(1)}, next_receipt_id = ${p(2)} WHERE id = ${p(3)}`, [
      next.pledge,
      next.receipt,
      revaluation.id,
    ]);
    revaluation.nextPledgeId = next.pledge;
    revaluation.nextReceiptId = next.receipt;
    return false;
  }
}

/** A revaluation still marking rows: from which date, in which currency (null: every row), and where each table's marking stands (null: done). */
export interface PendingRevaluation {
  id: number;
  from: string;
  currency: string | null;
  nextPledgeId: number | null;
  nextReceiptId: number | null;
}

const PENDING_COLUMNS = 'id, from_date, currency, next_pledge_id, next_receipt_id';
const PENDING = `SELECT ${PENDING_COLUMNS} FROM pending_revaluations`;

function toPendingRevaluation(r: Raw): PendingRevaluation {
  const position = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    from: r.from_date as string,
    currency: (r.currency as string | null) ?? null,
    nextPledgeId: position(r.next_pledge_id),
    nextReceiptId: position(r.next_receipt_id),
  };
}

/** A receipt's valuation facts, with its pledge's (disbursements aliased `d`, pledges `p`). */
export const RECEIPT_FACT_COLUMNS = `d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value`;
const RECEIPT_FACTS = `SELECT ${RECEIPT_FACT_COLUMNS}
  FROM disbursements d JOIN pledges p ON p.id = d.pledge_id`;

export function toPledgeFacts(r: Raw): PledgeValuationFacts {
  return {
    id: Number(r.id),
    currency: (r.currency as string | null) ?? null,
    amountMinor: toBigInt(r.amount as string | null),
    valueDate: dateOnly(r.value_date as string | Date) as string,
  };
}

export function toReceiptFacts(r: Raw): ReceiptValuationFacts {
  return {
    id: Number(r.id),
    amountMinor: toBigInt(r.amount as string | null),
    currency: (r.currency as string | null) ?? null,
    quantity: r.quantity === null || r.quantity === undefined ? null : Number(r.quantity),
    receivedOn: dateOnly(r.received_on as string | Date) as string,
    pledgeKind: r.pledge_kind as 'cash' | 'in_kind',
    pledgeCurrency: (r.pledge_currency as string | null) ?? null,
    unitValueMinor: toBigInt(r.unit_value as string | null),
  };
}
