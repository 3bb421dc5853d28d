import { Injectable } from '@nestjs/common';
import type Decimal from 'decimal.js';
import type { RateQuote } from '../common/money/conversion';
import { convertFixed, fixedMinorRate } from '../common/money/fixed-point';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import {
  LedgerValuationRepository,
  REPORTING_CURRENCIES,
  type PendingRow,
  type ReportingCurrency,
  type RowValues,
  type ValuedTable,
} from './ledger-valuation.repository';
import { PIVOTS } from './rate-path';
import { RateTable } from './rate-table';

/** Taken by valuation and by every write that can make a value stale, so neither misses the other. */
const VALUATION_LOCK = 'mat:ledger-valuation';

/** Ids per valuation window: at most this many rows per statement, a bound on memory and on bound parameters (5 per row). */
const BATCH = 2_000;

/**
 * Each pledge and disbursement carries its value in USD, EUR and AZN, converted at its own value
 * date by FxService's rule (nearest earlier published rate; direct, inverse or through EUR and USD)
 * and rounded once, half to even, to the cent: the same figure the pledge's own page shows. The
 * funding gap is then sums of these columns instead of a conversion per currency and day.
 *
 * Values are filled lazily: writes leave `valued_at` NULL (a new row, a pledge whose value date
 * moved, rows a newly published rate may change), and `valuePending` values those rows before the
 * gap is computed. A row without a usable rate keeps a NULL value; the gap then reports the missing rate.
 * The SQL is in LedgerValuationRepository.
 */
@Injectable()
export class LedgerValuation {
  constructor(
    private readonly ledger: LedgerValuationRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Values every row waiting for it. Cheap when none waits: two index probes. */
  async valuePending(): Promise<{ pledges: number; disbursements: number }> {
    if (!(await this.ledger.anyWaiting())) return { pledges: 0, disbursements: 0 };
    return this.uow.transaction(
      async (tx) => {
        await this.uow.lockKey(tx, VALUATION_LOCK);
        const rates = new Valuer(new RateTable(await this.loadRates(tx)));
        const pledges = await this.valueTable(tx, 'pledges', rates);
        const disbursements = await this.valueTable(tx, 'disbursements', rates);
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
  private async valueTable(tx: Transaction, table: ValuedTable, valuer: Valuer): Promise<number> {
    let count = 0;
    let from = await this.ledger.nextWaiting(tx, table, 0);
    while (from !== null) {
      const rows = await this.ledger.waitingRows(tx, table, from, from + BATCH);
      if (rows.length > 0)
        await this.ledger.storeValues(
          tx,
          table,
          rows.map((row) => valuer.valuesOf(row)),
        );
      count += rows.length;
      from = await this.ledger.nextWaiting(tx, table, from + BATCH - 1);
    }
    return count;
  }

  /** Every published rate between the ledger's currencies, the reporting currencies and the pivots. */
  private async loadRates(tx: Transaction): Promise<RateQuote[]> {
    const currencies = [...new Set([...REPORTING_CURRENCIES, ...PIVOTS, ...(await this.ledger.currenciesWaiting(tx))])];
    return this.ledger.ratesAmong(tx, currencies);
  }

  /**
   * Inside a transaction that adds rates: rows whose value a new rate may change wait for
   * valuation again. A rate dated `d` can serve only rows valued on or after `d`. Every leg of a
   * conversion path touches the hub (USD, EUR, AZN): a rate between two hub currencies may serve
   * any row, one between a hub currency and another only rows in that other currency, and one
   * between two currencies outside the hub none.
   */
  async ratesAdded(tx: Transaction, rates: ReadonlyArray<Pick<RateQuote, 'base' | 'quote' | 'date'>>): Promise<void> {
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
    for (const [key, from] of earliest) await this.ledger.revalueFrom(tx, from, key === '*' ? null : key);
  }

  /** Inside a transaction that moves a pledge's value date: its value waits for valuation again. */
  async pledgeMoved(tx: Transaction, pledgeId: number): Promise<void> {
    await this.uow.lockKey(tx, VALUATION_LOCK);
    await this.ledger.revaluePledge(tx, pledgeId);
  }
}

/** Converts rows with a RateTable, one fixed-point rate per (currency, date, target) worked out once. */
class Valuer {
  private readonly rates = new Map<string, { fixed: bigint; exact: Decimal } | null>();

  constructor(private readonly table: RateTable) {}

  /** The row's value in each reporting currency; a receipt also keeps the currency it was valued from (null: no money). */
  valuesOf(row: PendingRow): RowValues {
    const values = {} as Record<ReportingCurrency, bigint | null>;
    for (const to of REPORTING_CURRENCIES) values[to] = this.value(row, to);
    return { id: row.id, values, valueCurrency: row.amountMinor === null ? null : row.currency };
  }

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
