import { Injectable } from '@nestjs/common';
import type Decimal from 'decimal.js';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../access/actor';
import { ConflictError, InvalidInputError, MissingRateError } from '../common/errors/domain-errors';
import { convertMinor, effectiveRate, formatRate, RateLeg, RateQuote, staleness, type StaleRate } from '../common/money/conversion';
import { Money, parseAmount, toJson } from '../common/money/money';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { ECB_SOURCE, EcbFormatError, parseEcbCsv } from './ecb-parser';
import { FxRepository } from './fx.repository';
import { candidatePairs, chooseLegs } from './rate-path';

/**
 * Rate look-ups are cached per (pair, date). This instance forgets the cache on its own writes;
 * reads that show converted figures call `revalidate` first, so a rate added by another instance is
 * seen at once; writes that store a converted value call `syncWithStoredRates`. Anything else (the
 * rate checks of a pledge form or an import) sees another instance's new rate within this long.
 */
const CACHE_TTL_MS = 60_000;

/** Longer than this between two published rates of a pair is a gap on the rates page. */
export const RATE_GAP_DAYS = 5;

export interface Conversion {
  converted: Money;
  /** The effective rate from source to target, exact to 10 places. */
  rate: string;
  /** The value date asked for; each leg in `ratesUsed` says which published date it used. */
  valueDate: string;
  ratesUsed: RateQuote[];
  /** Set when the oldest rate used is more than STALE_RATE_DAYS before `valueDate`. */
  stale: StaleRate | null;
}

export interface EcbPreview {
  rates: number;
  new: number;
  stored: number;
  notQuoted: number;
  first: string;
  last: string;
  source: string;
  pairs: Array<{ base: string; quote: string; first: string; last: string; rates: number; new: number }>;
}

/** Parses an ECB file, or says what is wrong and where as a 400; an empty file is one too. */
function parseEcbOrThrow(csv: string): ReturnType<typeof parseEcbCsv> {
  let parsed;
  try {
    parsed = parseEcbCsv(csv);
  } catch (error) {
    if (error instanceof EcbFormatError) {
      throw new InvalidInputError(error.message, [{ field: `line ${error.line}: ${error.column}`, message: error.message }]);
    }
    throw error;
  }
  if (parsed.rates.length === 0) throw InvalidInputError.field('body', 'the file holds no rates');
  return parsed;
}

/**
 * Called inside every transaction that adds rates, with the earliest new date of each pair: what
 * keeps values worked out with the old rates from standing (the ledger's valuation listens).
 */
export type RatesAddedListener = (tx: Transaction, rates: ReadonlyArray<Pick<RateQuote, 'base' | 'quote' | 'date'>>) => Promise<void>;

/**
 * Converts money at a value date with the nearest earlier published rate, directly, inverted, or
 * through a pivot (EUR→USD→AZN). No rate at all is a MissingRateError, never a silent 1:1.
 */
@Injectable()
export class FxService {
  private readonly legCache = new Map<string, RateQuote | null>();
  private pairCache: Set<string> | null = null;
  private cacheBornAt = Date.now();
  /** The highest rate id the caches were filled under (null: not known yet). */
  private cachedUpTo: number | null = null;
  private generation = 0;
  /** The figures version the last revalidation read, and the revalidation under way for a newer one. */
  private revalidatedAt: string | null = null;
  private revalidating: { version: string; done: Promise<void> } | null = null;
  private readonly ratesAddedListeners: RatesAddedListener[] = [];

  constructor(
    private readonly rates: FxRepository,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** Registers work to do inside every transaction that adds rates. */
  onRatesAdded(listener: RatesAddedListener): void {
    this.ratesAddedListeners.push(listener);
  }

  /**
   * Inside a write whose result must match the rates as committed (a value stored with a row):
   * forgets the cached look-ups when a rate was added since they were made, by this instance or
   * any other process. One index probe (the highest rate id).
   */
  async syncWithStoredRates(tx: Transaction): Promise<void> {
    const upTo = await this.rates.lastId(tx);
    if (upTo !== this.cachedUpTo) {
      this.forgetCache();
      this.cachedUpTo = upTo;
    }
  }

  /**
   * Before a read that shows converted figures (a pledge in a display currency, the API's convert,
   * the forecast, a digest's lines): forgets the cached look-ups when a rate was added since they
   * were made, here or on another instance. Reads the figures version (every write that adds a rate
   * moves it), and the highest rate id only when the version moved.
   */
  async revalidate(): Promise<void> {
    const version = await this.uow.figuresVersion();
    if (version === this.revalidatedAt) return;
    if (this.revalidating?.version !== version) {
      const done = this.rates.lastId().then((upTo) => {
        if (upTo !== this.cachedUpTo) {
          this.forgetCache();
          this.cachedUpTo = upTo;
        }
        this.revalidatedAt = version;
      });
      // A failed look-up is not kept: the next reader of this version tries again.
      done.catch(() => {
        if (this.revalidating?.done === done) this.revalidating = null;
      });
      this.revalidating = { version, done };
    }
    await this.revalidating.done;
  }

  /** Moves whenever the cached look-ups are forgotten: anything cached on top of them is stale once it moves. */
  get lookupGeneration(): number {
    return this.generation;
  }

  /** The exact rate from `from` to `to` on `date` by the conversion rule (its look-ups cached), or null when no path has rates. */
  async rateOn(from: string, to: string, date: string, tx?: Transaction): Promise<Decimal | null> {
    const legs = await this.legs(from, to, date, tx);
    return legs ? effectiveRate(legs) : null;
  }

  /** The highest rate id: it moves whenever a rate is added. */
  rateVersion(reader?: Transaction): Promise<number> {
    return this.rates.lastId(reader);
  }

  /** Every published rate between these currencies (on or before `asOf` when given), for conversions by the thousand (RateTable). */
  ratesAmong(currencies: readonly string[], options: { asOf?: string; reader?: Transaction; knownOn?: string } = {}): Promise<RateQuote[]> {
    return this.rates.ratesAmong(currencies, options.asOf ?? null, options.reader, options.knownOn ?? null);
  }

  /**
   * Converts at the latest published rates on or before `valueDate`. Inside a unit of work, pass
   * its `tx`: the look-ups then run on the transaction's own connection (another connection
   * inside a transaction is refused: see UnitOfWork).
   */
  async convert(amount: Money, to: string, valueDate: string, field = 'currency', tx?: Transaction): Promise<Conversion> {
    if (amount.currency === to) {
      return { converted: amount, rate: '1', valueDate, ratesUsed: [], stale: null };
    }
    const legs = await this.legs(amount.currency, to, valueDate, tx);
    if (!legs) throw new MissingRateError(amount.currency, to, valueDate, field);
    const rate = effectiveRate(legs);
    const ratesUsed = legs.map((l) => l.quote);
    return { converted: convertMinor(amount, to, rate), rate: formatRate(rate), valueDate, ratesUsed, stale: staleness(valueDate, ratesUsed) };
  }

  /** The contract's converted-figure shape: money (with `rateDate` and `staleDays` when its rate is stale), the effective rate and every published rate used. */
  async convertForDisplay(amount: string, from: string, to: string, date: string) {
    await this.revalidate();
    const c = await this.convert(parseAmount(amount, from), to, date, 'to');
    return { amount: { amount, currency: from }, converted: { ...toJson(c.converted), ...c.stale }, rate: c.rate, valueDate: date, ratesUsed: c.ratesUsed };
  }

  /**
   * The rates from `from` to `to` on `date`, by the one rule (`chooseLegs`): the latest quote on or
   * before `date` of every stored pair a candidate path can use is read first, then chosen from.
   */
  private async legs(from: string, to: string, date: string, tx?: Transaction): Promise<RateLeg[] | null> {
    const stored = await this.knownPairs(tx);
    const quotes = new Map<string, RateQuote | null>();
    for (const { base, quote } of candidatePairs(from, to)) {
      const pair = `${base}/${quote}`;
      if (stored.has(pair)) quotes.set(pair, await this.quote(base, quote, date, tx));
    }
    return chooseLegs(from, to, (base, quote) => quotes.get(`${base}/${quote}`) ?? null);
  }

  private async quote(base: string, quote: string, date: string, tx?: Transaction): Promise<RateQuote | null> {
    if (Date.now() - this.cacheBornAt > CACHE_TTL_MS) this.forgetCache();
    const key = `${base}/${quote}@${date}`;
    if (!this.legCache.has(key)) {
      if (this.legCache.size > 50_000) this.legCache.clear();
      this.legCache.set(key, await this.rates.latestOnOrBefore(base, quote, date, tx));
    }
    return this.legCache.get(key) ?? null;
  }

  private async knownPairs(tx?: Transaction): Promise<Set<string>> {
    if (!this.pairCache) this.pairCache = new Set((await this.rates.pairs(tx)).map((p) => `${p.base}/${p.quote}`));
    return this.pairCache;
  }

  private forgetCache(): void {
    this.legCache.clear();
    this.pairCache = null;
    this.cacheBornAt = Date.now();
    this.cachedUpTo = null;
    this.generation++;
  }

  async addRate(actor: Actor, rate: RateQuote, idem: IdempotencyContext | null) {
    if (rate.base === rate.quote) throw InvalidInputError.field('quote', 'quote must differ from base');
    const result = await this.idempotency.create(idem, async (tx) => {
      if (await this.rates.exists(tx, rate.base, rate.quote, rate.date)) {
        throw new ConflictError(`A ${rate.base}/${rate.quote} rate for ${rate.date} is already recorded`, [
          { field: 'date', message: 'a rate for this pair and date exists' },
        ]);
      }
      const saved = await this.rates.insertOne(tx, rate);
      await this.notifyRatesAdded(tx, [rate]);
      const view = { id: saved.id, base: saved.base, quote: saved.quote, rate: saved.rate, date: saved.rateDate, source: saved.source };
      await this.audit.record(tx, actor, { action: 'fx_rate.create', entityType: 'fx_rate', entityId: saved.id, after: view });
      return view;
    });
    this.forgetCache();
    return result;
  }

  /**
   * What importing an ECB file would do, without doing it: per currency the rates it holds, from
   * and to which date, and how many are new (the rest are stored already and would be kept as they are).
   */
  async previewEcb(csv: string): Promise<EcbPreview> {
    const parsed = parseEcbOrThrow(csv);
    const dates = parsed.rates.map((r) => r.date).sort();
    const stored = await this.rates.storedKeys('EUR', dates[0], dates[dates.length - 1]);
    const byQuote = new Map<string, EcbPreview['pairs'][number]>();
    for (const r of parsed.rates) {
      const pair = byQuote.get(r.currency) ?? { base: 'EUR', quote: r.currency, first: r.date, last: r.date, rates: 0, new: 0 };
      pair.rates += 1;
      if (!stored.has(`${r.currency}@${r.date}`)) pair.new += 1;
      if (r.date < pair.first) pair.first = r.date;
      if (r.date > pair.last) pair.last = r.date;
      byQuote.set(r.currency, pair);
    }
    const pairs = [...byQuote.values()].sort((a, b) => a.quote.localeCompare(b.quote));
    const added = pairs.reduce((n, p) => n + p.new, 0);
    return {
      rates: parsed.rates.length,
      new: added,
      stored: parsed.rates.length - added,
      notQuoted: parsed.notQuoted,
      first: dates[0],
      last: dates[dates.length - 1],
      source: ECB_SOURCE,
      pairs,
    };
  }

  /** Imports an ECB CSV (either layout) in one transaction; rates already stored are skipped. */
  async importEcb(actor: Actor | null, csv: string): Promise<{ imported: number; skipped: number; notQuoted: number }> {
    const parsed = parseEcbOrThrow(csv);
    const imported = await this.uow.transaction(async (tx) => {
      const count = await this.insertAndRevalue(
        tx,
        parsed.rates.map((r) => ({ base: 'EUR', quote: r.currency, rate: r.rate, date: r.date, source: ECB_SOURCE })),
      );
      if (actor) {
        const dates = parsed.rates.map((r) => r.date).sort();
        await this.audit.record(tx, actor, {
          action: 'fx_rate.import',
          entityType: 'fx_rate',
          entityId: 'ecb',
          after: { imported: count, from: dates[0], to: dates[dates.length - 1], source: ECB_SOURCE },
        });
      }
      return count;
    });
    this.forgetCache();
    return { imported, skipped: parsed.rates.length - imported, notQuoted: parsed.notQuoted };
  }

  /** Seeds and tests insert rates outside HTTP; the caches must not keep stale answers. */
  async insertRates(tx: Transaction, rates: RateQuote[]): Promise<number> {
    const count = await this.insertAndRevalue(tx, rates);
    this.forgetCache();
    return count;
  }

  /** Inserts the rates not stored yet, and has the ledger rows they may change valued again. */
  private async insertAndRevalue(tx: Transaction, rates: RateQuote[]): Promise<number> {
    const before = await this.rates.lastId(tx);
    const count = await this.rates.insertMissing(tx, rates);
    if (count > 0) await this.notifyRatesAdded(tx, await this.rates.addedAfter(tx, before));
    return count;
  }

  private async notifyRatesAdded(tx: Transaction, rates: ReadonlyArray<Pick<RateQuote, 'base' | 'quote' | 'date'>>): Promise<void> {
    for (const listener of this.ratesAddedListeners) await listener(tx, rates);
  }

  /**
   * First and last date per pair, and its gaps: stretches of more than RATE_GAP_DAYS between two
   * published rates (the ECB skips weekends and TARGET holidays; Easter makes 5 days normal).
   */
  async coverage() {
    const [rows, gaps] = await Promise.all([this.rates.coverage(), this.rates.gaps(RATE_GAP_DAYS)]);
    return rows.map((row) => ({
      ...row,
      gaps: gaps.filter((g) => g.base === row.base && g.quote === row.quote).map(({ from, to, days }) => ({ from, to, days })),
    }));
  }
}
