import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type Decimal from 'decimal.js';
import type { RateQuote } from '../common/money/conversion';
import { convertFixed, fixedMinorRate } from '../common/money/fixed-point';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { FxService } from '../fx/fx.service';
import { PIVOTS } from '../fx/rate-path';
import { RateTable } from '../fx/rate-table';
import type { StoredPledgeValues, StoredReceiptValues } from './ledger.repository';
import { LedgerAggregates } from './aggregates/ledger-aggregates.service';
import {
  LedgerValuationRepository,
  type PledgeValuationFacts,
  type ReceiptValuationFacts,
  type RowValues,
  type ValuedTable,
} from './ledger-valuation.repository';
import { REPORTING_CURRENCIES, type ReportingCurrency } from './reporting-currencies';

/** Taken exclusively by the worker and by every write that makes values stale (a rate), shared by writes that store values, so none misses another. */
const VALUATION_LOCK = 'mat:ledger-valuation';

/**
 * Ids per valuation window, one transaction each: a bound on memory, on bound parameters (5 per
 * row) and on how long a writer or a request waits. Each commit costs SQLite a WAL checkpoint of
 * the pages the window rewrote: windows of 2,000 took 18 s for the bench's 400k-row ledger, of
 * 5,000 about 12 s, before each window also moved the maintained aggregates (issue 18). With that,
 * a window of 5,000 held SQLite's one connection for about a second, and gap reads during a
 * revaluation waited for it (p50 1.3 s); windows of 1,000 keep that wait near 0.1-0.2 s.
 */
const BATCH = 1_000;

/**
 * Rows the worker values per millisecond, rounded well down: 400k rows took it 20-28 s on SQLite
 * and about 34 s on PostgreSQL on the 2-core bench machine (12-20 rows/ms). A read waits for the
 * worker only when it can finish within the read's wait.
 */
const WORKER_ROWS_PER_MS = 5;

/**
 * Rows the worker marks for revaluation per transaction. A new rate marks two windows of
 * REVALUATION_ROWS_WITH_RATE rows itself, pledges first (AppConfig.revaluationRowsWithRate): a
 * ledger of at most that many pledges and that many receipts is marked whole before the rate is
 * answered, so reads right after it are exact; the rest of a larger one is marked here while reads
 * say the figures are being brought up to date. Marking 3M receipts in one UPDATE outran PostgreSQL's 60 s statement timeout at the
 * bench's 10x scale on the 2-core machine, and the rate was refused.
 */
const MARK_BATCH = 5_000;

/** Conversions (currency, date, target) whose fixed-point rate one-row valuations keep. */
const FIXED_RATES_KEPT = 20_000;

/** The money a receipt carries: cash as received; goods at their pledge's unit value, in the pledge's currency. Null amount: none. */
export function receiptMoney(r: Omit<ReceiptValuationFacts, 'id' | 'receivedOn'>): { currency: string | null; amountMinor: bigint | null } {
  if (r.pledgeKind === 'cash') return { currency: r.currency, amountMinor: r.amountMinor };
  return { currency: r.pledgeCurrency, amountMinor: r.quantity !== null && r.unitValueMinor !== null ? BigInt(r.quantity) * r.unitValueMinor : null };
}

/** A conversion's rate in fixed point, with the exact rate convertFixed falls back on near a half; null: no rate. */
type FixedRate = { fixed: bigint; exact: Decimal } | null;

/** The stored values of a row written for the worker to value. */
export const NOT_VALUED: StoredPledgeValues = { valueUsdMinor: null, valueEurMinor: null, valueAznMinor: null, valuedAt: null };

/** Values worked out in memory for one read: a pledge's, and a receipt's with the currency it is valued from (null: no money). */
export interface ReadValuer {
  pledge(facts: PledgeValuationFacts, to: ReportingCurrency): bigint | null;
  receipt(facts: ReceiptValuationFacts, to: ReportingCurrency): { value: bigint | null; currency: string | null };
}

/**
 * Each pledge and receipt carries its value in USD, EUR and AZN, converted at its own value date
 * by FxService's rule (nearest earlier published rate; direct, inverse or through EUR and USD) and
 * rounded once, half to even, to the cent: the same figure the pledge's own page shows. The
 * funding gap is then sums of these columns instead of a conversion per currency and day.
 *
 * Who keeps them current:
 * - the writes: a new pledge or receipt, or a pledge whose value date moves, gets its values in
 *   its own transaction (`pledgeValues`, `receiptValues`); an import of many pledges leaves them
 *   to the worker, woken when it commits (`valueAfterCommit`), and keeps its speed;
 * - a new rate marks the rows it may change as waiting (`ratesAdded`): inside the rate's
 *   transaction two windows of REVALUATION_ROWS_WITH_RATE rows, the rest by this worker in
 *   bounded windows (pending_revaluations), while reads say the figures are being brought up to
 *   date; an upgrade marks them too (the migration that added the columns);
 * - this worker values waiting rows in the background, a window of ids per transaction, one
 *   window at a time: woken at start and after each rate import commits, and by a read that finds
 *   rows waiting.
 * A read never writes: it waits a little for the worker (`settled`) and values whatever still
 * waits in memory (`valuerForRead`). A row without a usable rate keeps a NULL value; the gap
 * then reports the missing rate.
 */
@Injectable()
export class LedgerValuation implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LedgerValuation');
  private running: Promise<void> | null = null;
  private wokenAgain = false;
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();
  /** Fixed-point rates of one-row valuations, and the FxService look-up generation they were worked out under. */
  private readonly fixedRates = new Map<string, FixedRate>();
  private fixedRatesFrom = -1;

  constructor(
    private readonly rows: LedgerValuationRepository,
    private readonly fx: FxService,
    private readonly uow: UnitOfWork,
    private readonly aggregates: LedgerAggregates,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.fx.onRatesAdded((tx, rates) => this.ratesAdded(tx, rates));
  }

  onApplicationBootstrap(): void {
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  // --- values written with the rows ------------------------------------------------------------

  /** A pledge's values, inside the transaction that writes it. */
  async pledgeValues(tx: Transaction, pledge: Omit<PledgeValuationFacts, 'id'>): Promise<StoredPledgeValues> {
    await this.beginValuing(tx);
    const values = await this.convertOne(tx, pledge.amountMinor, pledge.currency, pledge.valueDate);
    return { valueUsdMinor: values.USD, valueEurMinor: values.EUR, valueAznMinor: values.AZN, valuedAt: new Date() };
  }

  /** A receipt's values, inside the transaction that writes it. */
  async receiptValues(tx: Transaction, receipt: Omit<ReceiptValuationFacts, 'id'>): Promise<StoredReceiptValues> {
    await this.beginValuing(tx);
    const money = receiptMoney(receipt);
    const values = await this.convertOne(tx, money.amountMinor, money.currency, receipt.receivedOn);
    return {
      valueUsdMinor: values.USD,
      valueEurMinor: values.EUR,
      valueAznMinor: values.AZN,
      valueCurrency: money.amountMinor === null ? null : money.currency,
      valuedAt: new Date(),
    };
  }

  /** Rows `tx` writes without values (a large import) are valued by the worker once `tx` commits. */
  valueAfterCommit(tx: Transaction): void {
    this.uow.afterCommit(tx, () => this.wake());
  }

  /** Values worked out in a writing transaction use the rates as committed, and no rate can be added meanwhile unnoticed. */
  private async beginValuing(tx: Transaction): Promise<void> {
    await this.holdShared(tx);
    await this.fx.syncWithStoredRates(tx);
  }

  /**
   * Holds the valuation lock shared until `tx` ends. A write that may store values takes it before
   * it locks any ledger row: the worker and a new rate take it exclusively before they touch rows,
   * so neither can wait for a row such a write holds while that write waits for the lock.
   */
  async holdShared(tx: Transaction): Promise<void> {
    await this.uow.lockKey(tx, VALUATION_LOCK, { shared: true });
  }

  /**
   * One row's values, each with FxService's rate (its look-ups cached) in fixed point, as a
   * RateTable gives them: convertFixed is convertMinor's answer without decimal arithmetic per row.
   */
  private async convertOne(tx: Transaction, amountMinor: bigint | null, currency: string | null, valueDate: string) {
    const values = { USD: null, EUR: null, AZN: null } as Record<ReportingCurrency, bigint | null>;
    if (amountMinor === null || currency === null) return values;
    for (const to of REPORTING_CURRENCIES) {
      if (currency === to) values[to] = amountMinor;
      else {
        const rate = await this.fixedRate(tx, currency, to, valueDate);
        values[to] = rate ? convertFixed({ minor: amountMinor, currency }, to, rate.fixed, rate.exact) : null;
      }
    }
    return values;
  }

  /** The fixed-point rate of one conversion, kept while FxService keeps the look-ups it came from. */
  private async fixedRate(tx: Transaction, from: string, to: ReportingCurrency, date: string): Promise<FixedRate> {
    if (this.fixedRatesFrom !== this.fx.lookupGeneration) {
      this.fixedRates.clear();
      this.fixedRatesFrom = this.fx.lookupGeneration;
    }
    const key = `${from}>${to}@${date}`;
    let rate = this.fixedRates.get(key);
    if (rate === undefined) {
      const exact = await this.fx.rateOn(from, to, date, tx);
      rate = exact ? { fixed: fixedMinorRate(from, to, exact), exact } : null;
      if (this.fixedRates.size >= FIXED_RATES_KEPT) this.fixedRates.clear();
      if (this.fixedRatesFrom === this.fx.lookupGeneration) this.fixedRates.set(key, rate);
    }
    return rate;
  }

  // --- rows a new rate may change -----------------------------------------------------------------

  /**
   * Inside a transaction that adds rates: rows whose value a new rate may change wait for
   * valuation again, and the worker is woken once the rates are committed. A rate dated `d` can
   * serve only rows valued on or after `d`. Every leg of a conversion path touches the hub (USD,
   * EUR, AZN): a rate between two hub currencies may serve any row, one between a hub currency and
   * another only rows in that other currency, and one between two currencies outside the hub none.
   */
  async ratesAdded(tx: Transaction, rates: ReadonlyArray<Pick<RateQuote, 'base' | 'quote' | 'date'>>): Promise<void> {
    if (rates.length === 0) return;
    await this.uow.lockKey(tx, VALUATION_LOCK);
    const hub = new Set<string>(hubWith([]));
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
      const revaluation = await this.rows.recordRevaluation(tx, from, key === '*' ? null : key);
      // Two windows now, pledges first (the whole of a small ledger: its pledges, then its receipts); the rest in the background.
      const rows = this.config.revaluationRowsWithRate;
      if (!(await this.rows.markWindow(tx, revaluation, rows))) await this.rows.markWindow(tx, revaluation, rows);
    }
    if (earliest.size > 0) this.uow.afterCommit(tx, () => this.wake());
  }

  /**
   * Marks what the pending revaluations have still to mark, MARK_BATCH rows per transaction, each
   * under the valuation lock (a write storing values never sees a window half-marked).
   */
  private async markPending(): Promise<void> {
    while (!this.stopped) {
      const done = await this.uow.transaction(
        async (tx) => {
          await this.uow.lockKey(tx, VALUATION_LOCK);
          const [revaluation] = await this.rows.pendingRevaluations(tx);
          if (revaluation === undefined) return true;
          await this.rows.markWindow(tx, revaluation, MARK_BATCH);
          return false;
        },
        { derivedOnly: true },
      );
      if (done) return;
      await yieldToEventLoop();
    }
  }

  // --- the worker -----------------------------------------------------------------------------------

  /** Starts the worker, or has it look again once its current pass ends. */
  wake(): void {
    if (this.stopped) return;
    this.wokenAgain = true;
    this.running ??= this.work().finally(() => {
      this.running = null;
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    });
  }

  /**
   * Wakes the worker and waits, at most `maxMs`, until nothing waits for valuation. True when
   * nothing does; false when rows still wait (the caller values them in memory), at once when the
   * worker has stopped (the application is shutting down) or when more rows wait than it could
   * value in `maxMs`.
   */
  async settled(maxMs: number): Promise<boolean> {
    const worthWaitingFor = Math.ceil(maxMs * WORKER_ROWS_PER_MS);
    const revaluing = (await this.rows.pendingRevaluations()).length > 0;
    const waiting = await this.rows.countWaiting(worthWaitingFor + 1);
    if (waiting === 0 && !revaluing) return true;
    if (this.stopped) return false;
    this.wake();
    // A revaluation still marking rows is a ledger larger than a rate marks itself: not worth waiting for.
    if (revaluing) return false;
    // More rows wait than the worker values in `maxMs` (a back-dated rate, an upgrade): waiting
    // would only delay the read, which values them in memory anyway.
    if (waiting > worthWaitingFor) return false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.add(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxMs);
      }),
    ]);
    clearTimeout(timer);
    return !(await this.rows.anyWaiting()) && (await this.rows.pendingRevaluations()).length === 0;
  }

  private async work(): Promise<void> {
    try {
      // Start once whoever woke the worker has finished its turn: an import's answer is not held up by the first window.
      await yieldToEventLoop();
      while (this.wokenAgain && !this.stopped) {
        this.wokenAgain = false;
        await this.markPending();
        if (!(await this.rows.anyWaiting())) continue;
        const rates = new RatesForValuation(this.fx, this.rows);
        for (const table of ['pledges', 'disbursements'] as const) {
          let after = 0;
          while (!this.stopped) {
            const next = await this.uow.transaction((tx) => this.valueWindow(tx, table, after, rates), { derivedOnly: true });
            if (next === null) break;
            after = next;
            // SQLite answers synchronously, so without this the whole pass would run as one stretch
            // of promise callbacks, and no request, timer or sign-in would be served until it ended.
            await yieldToEventLoop();
          }
        }
      }
    } catch (error) {
      // The next wake (a rate import, a read that finds rows waiting, a restart) tries again; reads stay exact meanwhile.
      if (!this.stopped) this.logger.error(`Valuation stopped: ${(error as Error).message}`);
    }
  }

  /**
   * Values the waiting rows of one window of BATCH ids, the first window above `after` that holds
   * one, jumping there through the partial index. Windows rather than LIMIT: PostgreSQL, with
   * statistics that do not yet know how many rows wait (just after a bulk load or an upgrade),
   * plans `ORDER BY id LIMIT n` as a scan of every waiting row per batch. Returns the last id of
   * the window, or null when no row above `after` waits.
   */
  private async valueWindow(tx: Transaction, table: ValuedTable, after: number, rates: RatesForValuation): Promise<number | null> {
    await this.uow.lockKey(tx, VALUATION_LOCK);
    const from = await this.rows.nextWaiting(tx, table, after);
    if (from === null) return null;
    const valuer = await rates.valuer(tx);
    const values =
      table === 'pledges'
        ? (await this.rows.waitingPledges(tx, from, from + BATCH)).map((p) =>
            valuer.rowValues(p.id, { currency: p.currency, amountMinor: p.amountMinor }, p.valueDate),
          )
        : (await this.rows.waitingReceipts(tx, from, from + BATCH)).map((r) => valuer.rowValues(r.id, receiptMoney(r), r.receivedOn));
    const pledges =
      table === 'pledges'
        ? values.map((v) => v.id)
        : await this.aggregates.pledgesOfReceipts(
            tx,
            values.map((v) => v.id),
          );
    await this.aggregates.maintain(tx, pledges, () => this.rows.storeValues(tx, table, values, true), { valuesOnly: true });
    return from + BATCH - 1;
  }

  // --- reads --------------------------------------------------------------------------------------

  /**
   * Values in memory for a read (nothing is written): the rates among the reporting currencies,
   * the pivots and `currencies`, loaded once inside `reader`'s snapshot.
   */
  async valuerForRead(reader: Transaction, currencies: Iterable<string | null>, knownOn?: string): Promise<ReadValuer> {
    const codes = [...new Set([...currencies].flatMap((c) => (c ? [c] : [])))];
    const valuer = new Valuer(new RateTable(await this.fx.ratesAmong(hubWith(codes), { reader, knownOn })));
    return {
      pledge: (p, to) => valuer.value({ currency: p.currency, amountMinor: p.amountMinor }, p.valueDate, to),
      receipt: (r, to) => {
        const money = receiptMoney(r);
        return { value: valuer.value(money, r.receivedOn, to), currency: money.amountMinor === null ? null : money.currency };
      },
    };
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The reporting currencies, the pivots and these: every currency a conversion of these to a reporting currency may touch. */
function hubWith(currencies: readonly string[]): string[] {
  return [...new Set([...REPORTING_CURRENCIES, ...PIVOTS, ...currencies])];
}

/** The worker's rates: loaded once per pass, again only when a rate has been added meanwhile. */
class RatesForValuation {
  private loaded: { version: number; valuer: Valuer } | null = null;

  constructor(
    private readonly fx: FxService,
    private readonly rows: LedgerValuationRepository,
  ) {}

  async valuer(tx: Transaction): Promise<Valuer> {
    const version = await this.fx.rateVersion(tx);
    if (this.loaded?.version !== version) {
      const rates = await this.fx.ratesAmong(hubWith(await this.rows.currenciesWaiting(tx)), { reader: tx });
      this.loaded = { version, valuer: new Valuer(new RateTable(rates)) };
    }
    return this.loaded.valuer;
  }
}

/** Converts with a RateTable, the fixed-point rates of a (currency, date) to every reporting currency worked out once. */
class Valuer {
  private readonly rates = new Map<string, Record<ReportingCurrency, FixedRate>>();

  constructor(private readonly table: RateTable) {}

  /** A row's values in every reporting currency; a receipt also keeps the currency it was valued from (null: no money). */
  rowValues(id: number, money: { currency: string | null; amountMinor: bigint | null }, valueDate: string): RowValues {
    const values = { USD: null, EUR: null, AZN: null } as Record<ReportingCurrency, bigint | null>;
    if (money.amountMinor !== null && money.currency !== null) {
      const rates = this.ratesOf(money.currency, valueDate);
      for (const to of REPORTING_CURRENCIES) values[to] = this.convert(money.amountMinor, money.currency, to, rates[to]);
    }
    return { id, values, valueCurrency: money.amountMinor === null ? null : money.currency };
  }

  value(money: { currency: string | null; amountMinor: bigint | null }, valueDate: string, to: ReportingCurrency): bigint | null {
    if (money.amountMinor === null || money.currency === null) return null;
    return this.convert(money.amountMinor, money.currency, to, this.ratesOf(money.currency, valueDate)[to]);
  }

  private convert(minor: bigint, from: string, to: ReportingCurrency, rate: FixedRate): bigint | null {
    if (from === to) return minor;
    return rate ? convertFixed({ minor, currency: from }, to, rate.fixed, rate.exact) : null;
  }

  private ratesOf(currency: string, valueDate: string): Record<ReportingCurrency, FixedRate> {
    const key = `${currency}@${valueDate}`;
    let rates = this.rates.get(key);
    if (rates === undefined) {
      rates = { USD: null, EUR: null, AZN: null };
      for (const to of REPORTING_CURRENCIES) {
        const chained = currency === to ? null : this.table.rate(currency, to, valueDate);
        rates[to] = chained ? { fixed: fixedMinorRate(currency, to, chained.rate), exact: chained.rate } : null;
      }
      this.rates.set(key, rates);
    }
    return rates;
  }
}
