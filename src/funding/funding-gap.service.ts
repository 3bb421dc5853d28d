import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { daysBetween, todayUtc } from '../common/dates';
import { MissingRateError, NotFoundError } from '../common/errors/domain-errors';
import { shareOf, STALE_RATE_DAYS, staleness, type RateQuote, type StaleRate } from '../common/money/conversion';
import { formatAmount, parseAmount, type MoneyJson } from '../common/money/money';
import { formatMoneyHuman } from '../common/presentation/format';
import { UnitOfWork } from '../database/unit-of-work';
import {
  allocateToTotal,
  earmarkPortion,
  FIXED_SCALE,
  fixedMinorRate,
  gapToTarget,
  projectClearanceCost,
  roundFixed,
  uniqueRates,
  type Projection,
} from './funding-gap.calc';
import { DonorsService } from '../donors/donors.service';
import { FxService } from '../fx/fx.service';
import { PIVOTS } from '../fx/rate-path';
import { RateTable } from '../fx/rate-table';
import { notesOf, type ValueDateNotes } from './value-date-notes';
import type { ReceiptStatus } from '../ledger/fulfilment';
import { LedgerFigures, type DonorPledgeCandidates } from '../ledger/ledger-figures.service';
import { instalmentStanding } from '../ledger/instalment-rules';
import { Ledger } from '../ledger/ledger.service';
import { pledgeValueDate } from '../ledger/value-date';
import { forecastGroups } from './forecast';
import type {
  BalanceRates,
  DatedSum,
  DonorValue,
  FiguresUpdating,
  GoodsCount,
  LedgerFilter,
  PriorityValue,
  ValueDate,
} from '../ledger/ledger-figures.repository';
import { REPORTING_CURRENCIES } from '../ledger/reporting-currencies';
import { NationalService, type GovernmentFigure, type ReportedFigureRow } from '../national/national.service';
import { PrioritiesService } from '../priorities/priorities.service';
import { ClearanceProgressService, type ClearanceFigure } from './clearance-progress.service';

const gzipAsync = promisify(gzip);

/** A response body ready to send, with its entity tag computed once rather than on every request. */
export interface EncodedBody {
  body: Buffer;
  etag: string;
}

function encoded(body: Buffer, variant: string): EncodedBody {
  return { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}${variant}"` };
}

/** Every row of the ledger is valued in these, so the engine reports in them. */
export const DISPLAY_CURRENCIES = REPORTING_CURRENCIES;
export type DisplayCurrency = (typeof DISPLAY_CURRENCIES)[number];

/**
 * The currency the engine reports in for a wished one: itself when every row is valued in it
 * (USD, EUR, AZN), otherwise USD. Digests, the donor page and the pledges list total use it for a
 * donor's or a user's display currency.
 */
export function displayCurrencyOf(wished: string): DisplayCurrency {
  return (DISPLAY_CURRENCIES as readonly string[]).includes(wished) ? (wished as DisplayCurrency) : 'USD';
}

export const EARMARK_SPLIT_RULE = 'stated shares or even split';

export interface ReportedFigureView {
  value: string;
  currency: string | null;
  asOf: string;
  source: string;
}

/** Goods in their own units: pledged, delivered by asOf, and still to come (pledge by pledge). */
export type GoodsView = GoodsCount;

export interface DonorGapRow {
  donorId: number;
  name: string;
  /** Cash and valued goods pledged and standing on asOf (cancelled ones are in `cancelled`). */
  pledged: MoneyJson;
  received: MoneyJson;
  /** Version 1's name for `received`. */
  disbursed: MoneyJson;
  /** Not received and known to be owed: an officer says so, or the date promised has passed. */
  outstanding: MoneyJson;
  /** Not received, and nobody has recorded whether or when it will be. */
  receiptNotDocumented: MoneyJson;
  cancelled: MoneyJson;
  inKind: GoodsView[];
}

export interface PriorityGapRow {
  code: string;
  rank: number;
  title: string;
  pledged: MoneyJson;
  received: MoneyJson;
  disbursed: MoneyJson;
  target: MoneyJson | null;
  gap: MoneyJson | null;
  /** pledged ÷ target as a decimal fraction; null without a target. */
  percentFunded: string | null;
  /** Nothing pledged to it, in money or in goods. */
  unfunded: boolean;
  /** Goods earmarked here, in their own units (unvalued goods add nothing to `pledged`). */
  inKind: GoodsView[];
}

/** One pair of currencies the figures were converted with: how many published rates, over which dates. */
export interface RatePairSummary {
  base: string;
  quote: string;
  firstDate: string;
  lastDate: string;
  count: number;
  source: string;
  /** The most days any of these rates was older than the value date it converted (present when more than STALE_RATE_DAYS). */
  staleDays?: number;
}

/** The government's figure at asOf: the latest observation on or before it, converted; null before the first. */
export interface GovernmentView {
  total: MoneyJson | null;
  /** The observation as stated, in its own currency. */
  stated: MoneyJson | null;
  asAt: string | null;
  basis: string | null;
  periodStart: string | null;
  source: string | null;
  sourcePage: string | null;
  /** Version 1: the documents behind `total`. */
  sources: string[];
}

/** The body of GET /api/funding-gap (contract v2, plus the fields the page needs). */
export interface FundingGapView {
  currency: DisplayCurrency;
  asOf: string;
  /** Only what was recorded by the end of this UTC day counts; null: everything recorded until now. */
  knownOn: string | null;
  /** The filter the figures cover; null fields: everything. */
  filter: { donorId: number | null; priorityCode: string | null; pledgeCurrency: string | null; status: string | null };
  generatedAt: string;
  valueDates: string;
  government: GovernmentView;
  foreign: {
    /** Cash pledged (version 1's meaning); `itemised` adds valued goods. */
    pledged: MoneyJson;
    inKindValue: MoneyJson;
    itemised: MoneyJson;
    /** Received, outstanding, not documented and cancelled cover everything itemised (cash and valued goods). */
    received: MoneyJson;
    disbursed: MoneyJson;
    inKindDeliveredValue: MoneyJson;
    outstanding: MoneyJson;
    receiptNotDocumented: MoneyJson;
    cancelled: MoneyJson;
    reportedTotal: MoneyJson | null;
    notItemised: MoneyJson | null;
    /** The foreign money pledged as another document states it (001: "about 23.5 million USD"), beside reportedTotal. */
    reportedPledged: MoneyJson | null;
  };
  foreignShare: { pledged: string | null; received: string | null; disbursed: string | null; reported: string | null; reportedComputed: string | null };
  reported: {
    foreignTotal: ReportedFigureView | null;
    foreignPledged: ReportedFigureView | null;
    foreignShare: ReportedFigureView | null;
    governmentTotal: ReportedFigureView | null;
  };
  byDonor: DonorGapRow[];
  byPriority: PriorityGapRow[];
  notEarmarked: { pledged: MoneyJson; received: MoneyJson; disbursed: MoneyJson };
  earmarkSplit: { rule: string; pledgesWithStatedShares: number; pledgesSplitEvenly: number };
  projection: (Projection & { sources: string[] }) | null;
  /** Why a figure is null, and which conversions used stale rates: sentences for people. */
  notes: string[];
  /**
   * Null when every figure is exact. Otherwise the ledger is being revalued (a back-dated rate, an
   * upgrade) and more rows wait than a read values in memory, or a revaluation is still marking
   * the rows a rate changes: the figures hold those rows' previous values until the valuation
   * worker has stored the new ones, and are read again then.
   */
  updating: FiguresUpdating | null;
  ratesUsed: RatePairSummary[];
}

/**
 * A computed result serves reads until the figures version moves (UnitOfWork.figuresVersion: a
 * committed write on any instance), checked before every read. This age is only a backstop for a
 * version that failed to move after a commit: a result this old is computed again (served meanwhile).
 */
const CACHE_TTL_MS = 60_000;
/** How long figures being brought up to date are served before they are read again (in the background; no read waits). */
const UPDATING_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 64;
/** BalanceRates kept: one per display currency and day in use, at the latest rates. */
const BALANCE_RATES_KEPT = 4;
/** Rate tables kept: the computations' and the balances' for the display currencies and days in use. */
const RATE_TABLES_KEPT = 8;

/** The value kept in `map` under `key`, made by `make` when there is none; the oldest let go beyond `max`; a failure is not kept. */
function keptFor<T>(map: Map<string, Promise<T>>, key: string, max: number, make: () => Promise<T>): Promise<T> {
  let kept = map.get(key);
  if (kept === undefined) {
    const made = make();
    kept = made;
    map.set(key, made);
    made.catch(() => {
      if (map.get(key) === made) map.delete(key);
    });
    if (map.size > max) map.delete(map.keys().next().value as string);
  }
  return kept;
}

interface Computed {
  view: FundingGapView;
  /** Every published rate behind the figures (the view lists a summary per pair). */
  rates: RateQuote[];
}

interface CacheEntry {
  bornAt: number;
  /** How long it serves before it is computed again: CACHE_TTL_MS, or UPDATING_TTL_MS while figures are being brought up to date. */
  ttlMs: number;
  result: Promise<Computed>;
  json: Promise<EncodedBody> | null;
  gzip: Promise<EncodedBody> | null;
  refreshing: boolean;
}

const VALUE_DATES =
  'Pledges convert at their value date (pledge date, else the source document date, else the day recorded); money received at its receipt date; ' +
  "what is not yet received at its pledge's value date; government spend and reported figures at the date they are stated as at; priority targets at asOf. " +
  'Each uses the nearest earlier published rate.';

/** Converts dated sums to one currency: one rate per (currency, date), every published rate it used kept. */
class DisplayConverter {
  /** The (currency, value date) pairs converted here, their rates noted. */
  private readonly converted = new Set<string>();
  private readonly used: RateQuote[] = [];
  /** What noteValueDates recorded (shared with other computations on the same table and list: read only). */
  private noted: ValueDateNotes | null = null;
  /** Per pair, the most days a rate used was older than the value date it converted, with that date and rate date. */
  private readonly stalest = new Map<string, { days: number; valueDate: string; rateDate: string }>();

  private noteUse(valueDate: string, legs: readonly RateQuote[]): void {
    this.used.push(...legs);
    for (const leg of legs) {
      const key = `${leg.base}/${leg.quote}`;
      const days = daysBetween(leg.date, valueDate);
      if (days > (this.stalest.get(key)?.days ?? -1)) this.stalest.set(key, { days, valueDate, rateDate: leg.date });
    }
  }

  /** Per pair, how stale its oldest use was. */
  staleness(): Map<string, { days: number; valueDate: string; rateDate: string }> {
    return this.stalest;
  }

  constructor(
    private readonly table: RateTable,
    readonly currency: string,
  ) {}

  /** Fixed-point minor units of the display currency, at the rate of the sum's value date. */
  fixed(sum: DatedSum): bigint {
    const rate = fixedRatesOf(this.table, this.currency).of(sum.currency, sum.valueDate);
    const key = `${sum.currency}@${sum.valueDate}`;
    if (!this.converted.has(key)) {
      this.converted.add(key);
      this.noteUse(sum.valueDate, this.table.ratesUsed(sum.currency, this.currency, sum.valueDate) ?? []);
    }
    return sum.amountMinor * rate;
  }

  /**
   * Records the rates the stored values were converted at, before anything is converted here; a
   * (currency, date) without one is a MissingRateError. Worked out once per rate table and list
   * (ValueDateNotes): 18k pairs on the bench's ledger cost about 35 ms per computation.
   */
  noteValueDates(valueDates: readonly ValueDate[]): void {
    this.noted = notesOf(this.table, this.currency, valueDates);
    for (const [pair, stale] of this.noted.stalest) this.stalest.set(pair, stale);
  }

  ratesUsed(): RateQuote[] {
    const noted = this.noted;
    if (noted === null) return uniqueRates(this.used);
    if (this.used.every((q) => noted.usedSet.has(q))) return [...noted.used];
    return uniqueRates([...noted.used, ...this.used]);
  }
}

/** Fixed-point rates to one currency from a RateTable (fixedMinorRate), each worked out once: what every conversion of a computation and a whole-ledger read's balances use. */
class FixedRates {
  private readonly memo = new Map<string, bigint>();

  constructor(
    private readonly table: RateTable,
    private readonly currency: string,
  ) {}

  of(from: string, valueDate: string): bigint {
    const key = `${from}@${valueDate}`;
    let rate = this.memo.get(key);
    if (rate === undefined) {
      const chained = this.table.rate(from, this.currency, valueDate);
      if (!chained) throw new MissingRateError(from, this.currency, valueDate);
      rate = fixedMinorRate(from, this.currency, chained.rate);
      this.memo.set(key, rate);
    }
    return rate;
  }
}

/** The FixedRates of `table` to `currency`, one per table and currency (a table is kept while its rates are the latest: FundingGapService.rateTable). */
const FIXED_RATES = new WeakMap<RateTable, Map<string, FixedRates>>();
function fixedRatesOf(table: RateTable, currency: string): FixedRates {
  let byCurrency = FIXED_RATES.get(table);
  if (byCurrency === undefined) FIXED_RATES.set(table, (byCurrency = new Map<string, FixedRates>()));
  let rates = byCurrency.get(currency);
  if (rates === undefined) byCurrency.set(currency, (rates = new FixedRates(table, currency)));
  return rates;
}

/** The government's figure in the display currency, converted at the date it is stated as at and rounded once. */
function governmentIn(fx: DisplayConverter, government: GovernmentFigure): bigint {
  return roundFixed(fx.fixed({ currency: government.currency, valueDate: government.asAt, amountMinor: government.amountMinor }));
}

function reportedView(row: ReportedFigureRow | undefined): ReportedFigureView | null {
  return row ? { value: row.value, currency: row.currency, asOf: row.asOf, source: row.source } : null;
}

/** A listed pledge's figures in a display currency, minor units (null: not valued). */
export interface PledgeLineFigures {
  pledged: bigint | null;
  received: bigint | null;
  outstanding: bigint | null;
  receiptNotDocumented: bigint | null;
  /** What is known of the balance on asOf (fulfilment.ts, the receipt rule). */
  bucket: ReceiptStatus;
  valueDate: string;
  /** The pledge's conversion used a rate more than STALE_RATE_DAYS older than its value date. */
  stale: StaleRate | null;
}

/** The options every figure is parameterised by, besides currency and date. */
export type FundingQuery = LedgerFilter;

function filterKey(filter: LedgerFilter): string {
  return JSON.stringify([
    filter.donorId ?? null,
    filter.priorityCode ?? null,
    filter.currency ?? null,
    filter.status ?? null,
    filter.search ?? null,
    filter.knownOn ?? null,
  ]);
}

/** GET /api/funding-gap/forecast. */
export interface Forecast {
  currency: DisplayCurrency;
  asOf: string;
  /** Quarters with money still expected, in order; `expected` null when it cannot be converted. */
  quarters: Array<{ quarter: string; expected: MoneyJson | null }>;
  /** This year's work-plan need from the projection; null when the projection or this year's plan is unknown. */
  workPlanNeed: MoneyJson | null;
  workPlanYear: number | null;
}

/**
 * The funding engine: every figure about money (the page, GET /api/funding-gap and its CSVs, the
 * digests, the donor page, the pledges list totals) is read from here, for an as-of date, a display
 * currency and an optional filter (a donor, a priority, a pledge currency, a status). Government
 * against foreign money, by donor and by priority in the report's order, received / outstanding /
 * receipt not documented / cancelled, the reported headline beside the itemised ledger, and the
 * projection. Nothing is computed twice, so no two places can disagree.
 */
@Injectable()
export class FundingGapService {
  private readonly cache = new Map<string, CacheEntry>();
  /** The currencies of the ledger's balances, as the aggregates last said (the next BalanceRates cover them). */
  private balanceCurrencies: readonly string[] = [];
  /** BalanceRates by name, the last few (balanceRatesFor). */
  private readonly balanceRates = new Map<string, Promise<BalanceRates>>();
  /** Rate tables by currencies, day, knownOn and highest rate id, the last few (rateTable). */
  private readonly rateTables = new Map<string, Promise<RateTable>>();
  /** Moves whenever the cache is emptied; a result computed under an older generation is never cached. */
  private generation = 0;
  /** The figures version every cached entry was computed under (null: none read yet). */
  private version: string | null = null;

  constructor(
    private readonly ledger: LedgerFigures,
    private readonly national: NationalService,
    private readonly priorities: PrioritiesService,
    private readonly donors: DonorsService,
    private readonly clearance: ClearanceProgressService,
    private readonly fxService: FxService,
    private readonly schedule: Ledger,
    private readonly uow: UnitOfWork,
  ) {
    uow.onCommit(() => this.forget());
  }

  private forget(): void {
    this.generation++;
    this.cache.clear();
  }

  /**
   * The state on `asOf` (today when omitted) in `currency`. Concurrent callers of one key share one
   * computation; a result older than CACHE_TTL_MS is still served while a fresh one is computed.
   */
  async get(currency: DisplayCurrency, asOf: string = todayUtc(), filter: FundingQuery = {}): Promise<FundingGapView> {
    return (await (await this.entryFor(currency, asOf, filter)).result).view;
  }

  /** Every published rate behind the figures of (currency, asOf, filter), oldest first within each pair. */
  async ratesUsed(currency: DisplayCurrency, asOf: string = todayUtc(), filter: FundingQuery = {}): Promise<RateQuote[]> {
    return (await (await this.entryFor(currency, asOf, filter)).result).rates;
  }

  /**
   * The same figures as a JSON body, serialised (and gzipped, when the client takes it) once per
   * computation.
   */
  async getBody(currency: DisplayCurrency, asOf: string = todayUtc(), gzipped = false, filter: FundingQuery = {}): Promise<EncodedBody> {
    const entry = await this.entryFor(currency, asOf, filter);
    entry.json ??= entry.result.then(({ view }) => encoded(Buffer.from(JSON.stringify(view)), ''));
    if (!gzipped) return entry.json;
    entry.gzip ??= entry.json.then(async (json) => encoded(await gzipAsync(json.body), '-gzip'));
    return entry.gzip;
  }

  /**
   * The figures version now, having forgotten every result computed under another one: what a
   * cache built on these figures (the page's) keys its own entries by.
   */
  async currentVersion(): Promise<string> {
    const version = await this.uow.figuresVersion();
    if (version !== this.version) {
      this.version = version;
      this.forget();
    }
    return version;
  }

  /** The cached entry of (currency, asOf, filter) if it was computed under the current figures version, else a new computation. */
  private async entryFor(currency: DisplayCurrency, asOf: string, filter: FundingQuery): Promise<CacheEntry> {
    await this.currentVersion();
    // From here to the entry's insertion nothing awaits: an entry always belongs to the version last read.
    const key = `${currency}@${asOf}#${filterKey(filter)}`;
    const hit = this.cache.get(key);
    if (!hit) return this.computeInto(key, currency, asOf, filter, null);
    if (!hit.refreshing && Date.now() - hit.bornAt >= hit.ttlMs) {
      hit.refreshing = true;
      this.computeInto(key, currency, asOf, filter, hit).result.catch(() => undefined);
    }
    return hit;
  }

  private computeInto(key: string, currency: DisplayCurrency, asOf: string, filter: FundingQuery, replacing: CacheEntry | null): CacheEntry {
    const generation = this.generation;
    const entry: CacheEntry = {
      bornAt: Date.now(),
      ttlMs: CACHE_TTL_MS,
      result: this.compute(currency, asOf, filter),
      json: null,
      gzip: null,
      refreshing: false,
    };
    if (!replacing) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, entry);
    }
    entry.result.then(
      ({ view }) => {
        if (view.updating !== null) entry.ttlMs = UPDATING_TTL_MS;
        if (replacing && this.generation === generation && this.cache.get(key) === replacing) this.cache.set(key, entry);
      },
      () => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
        if (replacing) replacing.refreshing = false;
      },
    );
    return entry;
  }

  /**
   * The rates a whole-ledger read converts balances at (BalanceRates): to `currency`, among the
   * currencies the aggregates last said their balances are in (a read that finds another one
   * converts them here and says so for the next), dated by `asOf`. Named by the highest rate id:
   * rates are only ever added, so a new one gives a new name and the balances are converted afresh.
   */
  private async balanceRatesFor(currency: DisplayCurrency, asOf: string): Promise<BalanceRates> {
    const { table, key: tableKey, codes } = await this.rateTable([currency, ...PIVOTS, ...this.balanceCurrencies], asOf, undefined);
    const key = `${currency}|${tableKey}`;
    return keptFor(this.balanceRates, key, BALANCE_RATES_KEPT, () => {
      const rates = fixedRatesOf(table, currency);
      return Promise.resolve({ key, asOf, currencies: new Set(codes), rateOf: (from: string, valueDate: string) => rates.of(from, valueDate) });
    });
  }

  /**
   * The published rates among `currencies` dated by `asOf` (recorded by `knownOn`), loaded once per
   * set of currencies, day and highest rate id: rates are only ever added, so a new one moves the
   * id (one indexed read per computation instead of loading 8k rates: 18 ms on the bench's ledger).
   */
  private async rateTable(
    currencies: readonly string[],
    asOf: string,
    knownOn: string | undefined,
  ): Promise<{ table: RateTable; key: string; codes: string[] }> {
    const codes = [...new Set(currencies)].sort();
    const key = `${codes.join(',')}|${asOf}|${knownOn ?? ''}|${await this.fxService.rateVersion()}`;
    const table = await keptFor(this.rateTables, key, RATE_TABLES_KEPT, async () => new RateTable(await this.fxService.ratesAmong(codes, { asOf, knownOn })));
    return { table, key, codes };
  }

  /**
   * Ledger money comes from each row's stored value in `currency`, summed in SQL per donor and per
   * priority (rows still waiting for valuation valued in memory: LedgerFigures); the rates behind
   * those values are listed from the distinct (currency, value date) pairs.
   */
  private async compute(currency: DisplayCurrency, asOf: string, filter: FundingQuery): Promise<Computed> {
    const wholeLedger = Object.values(filter).every((v) => v === undefined);
    const balanceRates = wholeLedger ? await this.balanceRatesFor(currency, asOf) : undefined;
    const [ledger, donorNames, priorityRows, government, reportedRows, clearance] = await Promise.all([
      this.ledger.figures(asOf, currency, filter, balanceRates),
      this.donors.namesById(),
      this.priorities.withTargetsAt(asOf, filter.knownOn),
      this.national.governmentAt(asOf, undefined, filter.knownOn),
      this.national.latestReportedFigures(asOf, filter.knownOn),
      this.clearance.statedBy(asOf, filter.knownOn),
    ]);
    if (filter.donorId !== undefined && !donorNames.has(filter.donorId)) throw new NotFoundError('Donor', filter.donorId);
    const { inKind, inKindByPriority, splitCounts, valueDates, balances, convertedBalances } = ledger;
    if (ledger.balanceCurrencies !== undefined) this.balanceCurrencies = ledger.balanceCurrencies;
    const priorities = priorityRows;
    const converted = [
      ...valueDates.map((v) => v.currency),
      ...(government ? [government.currency] : []),
      ...reportedRows.flatMap((row) => (row.currency ? [row.currency] : [])),
      ...priorities.flatMap((p) => (p.targetCurrency ? [p.targetCurrency] : [])),
    ];
    const fx = new DisplayConverter((await this.rateTable([currency, ...PIVOTS, ...converted], asOf, filter.knownOn)).table, currency);
    fx.noteValueDates(valueDates);
    const money = (minor: bigint): MoneyJson => ({ amount: formatAmount(minor, currency), currency });
    const people = (minor: bigint) => formatMoneyHuman(formatAmount(minor, currency), currency);
    const pledgedDonorRows = ledger.pledgedByDonor;
    const receivedDonorRows = ledger.receivedByDonor;
    const cancelledDonorRows = ledger.cancelledByDonor;
    const pledgedPriorityRows = ledger.pledgedByPriority;
    const receivedPriorityRows = ledger.receivedByPriority;
    // Every rate behind a stored value was checked above; a value still missing means the stored values and the rates disagree.
    if ([...pledgedDonorRows, ...receivedDonorRows, ...cancelledDonorRows, ...pledgedPriorityRows, ...receivedPriorityRows].some((row) => row.unvalued > 0))
      throw new Error('A ledger row has no stored value although its rate is published');

    // Fixed-point totals per donor and kind, and per priority; each headline is rounded once from them.
    const donorIds = new Set<number>(inKind.map((q) => q.donorId));
    const sumByDonor = (rows: ReadonlyArray<{ donorId: number; kind: 'cash' | 'in_kind'; value: bigint }>) => {
      const byDonor = new Map<number, bigint>();
      let cash = 0n;
      let goods = 0n;
      for (const s of rows) {
        byDonor.set(s.donorId, (byDonor.get(s.donorId) ?? 0n) + s.value);
        donorIds.add(s.donorId);
        if (s.kind === 'cash') cash += s.value;
        else goods += s.value;
      }
      return { byDonor, cash, goods, all: cash + goods };
    };
    const stored = (rows: DonorValue[]) => rows.map((s) => ({ donorId: s.donorId, kind: s.kind, value: s.valueMinor * FIXED_SCALE }));
    const sumByPriority = (rows: PriorityValue[]) => {
      const byPriority = new Map<string, bigint>();
      for (const s of rows)
        byPriority.set(s.priorityCode, (byPriority.get(s.priorityCode) ?? 0n) + earmarkPortion(s.valueMinor * FIXED_SCALE, s.shareBasisPoints, s.earmarkCount));
      return byPriority;
    };
    const pledgedByDonor = sumByDonor(stored(pledgedDonorRows));
    const receivedByDonor = sumByDonor(stored(receivedDonorRows));
    const cancelledByDonor = sumByDonor(stored(cancelledDonorRows));
    // Converted by the aggregates at balanceRates when they could (the same rule, kept between reads), else here.
    const balance = (bucket: ReceiptStatus) =>
      sumByDonor(
        convertedBalances
          ? convertedBalances.filter((b) => b.bucket === bucket).map((b) => ({ donorId: b.donorId, kind: b.kind, value: b.fixed }))
          : balances.filter((b) => b.bucket === bucket).map((b) => ({ donorId: b.donorId, kind: b.kind, value: fx.fixed(b) })),
      );
    const outstandingByDonor = balance('outstanding');
    const notDocumentedByDonor = balance('not_documented');
    const pledgedByPriority = sumByPriority(pledgedPriorityRows);
    const receivedByPriority = sumByPriority(receivedPriorityRows);

    const pledgedCash = roundFixed(pledgedByDonor.cash);
    const inKindValue = roundFixed(pledgedByDonor.goods);
    const itemised = pledgedCash + inKindValue;
    const receivedCash = roundFixed(receivedByDonor.cash);
    const inKindDelivered = roundFixed(receivedByDonor.goods);
    const received = receivedCash + inKindDelivered;
    const outstanding = roundFixed(outstandingByDonor.all);
    const notDocumented = roundFixed(notDocumentedByDonor.all);
    const cancelled = roundFixed(cancelledByDonor.all);
    const governmentMinor = government ? governmentIn(fx, government) : null;

    // By donor: rounded so the rows add up to each headline.
    const donors = [...donorIds];
    const allocate = (sums: ReturnType<typeof sumByDonor>, total: bigint) =>
      allocateToTotal(
        donors.map((id) => sums.byDonor.get(id) ?? 0n),
        total,
      );
    const donorPledged = allocate(pledgedByDonor, itemised);
    const donorReceived = allocate(receivedByDonor, received);
    const donorOutstanding = allocate(outstandingByDonor, outstanding);
    const donorNotDocumented = allocate(notDocumentedByDonor, notDocumented);
    const donorCancelled = allocate(cancelledByDonor, cancelled);
    const goods = (rows: readonly GoodsView[]): GoodsView[] =>
      rows.map(({ unit, pledged, delivered, upTo, toCome, toComeUpTo }) => ({ unit, pledged, delivered, upTo, toCome, toComeUpTo }));
    const byDonor: DonorGapRow[] = donors
      .map((donorId, i) => ({
        donorId,
        name: donorNames.get(donorId) ?? `Donor ${donorId}`,
        pledged: money(donorPledged[i]),
        received: money(donorReceived[i]),
        disbursed: money(donorReceived[i]),
        outstanding: money(donorOutstanding[i]),
        receiptNotDocumented: money(donorNotDocumented[i]),
        cancelled: money(donorCancelled[i]),
        inKind: goods(inKind.filter((q) => q.donorId === donorId)),
      }))
      .sort((a, b) => compareMinor(b.pledged.amount, a.pledged.amount) || a.name.localeCompare(b.name));

    // By priority, in the report's order: earmarks split exactly, the unearmarked rest as its own line, rows adding up to the headline.
    const withUnearmarked = (byCode: Map<string, bigint>, total: bigint) => {
      const parts = priorities.map((p) => byCode.get(p.code) ?? 0n);
      return [...parts, total - parts.reduce((a, b) => a + b, 0n)];
    };
    const priorityPledged = allocateToTotal(withUnearmarked(pledgedByPriority, pledgedByDonor.all), itemised);
    const priorityReceived = allocateToTotal(withUnearmarked(receivedByPriority, receivedByDonor.all), received);
    const targetByCode = new Map(
      priorities
        .filter((p) => p.targetMinor !== null && p.targetCurrency !== null)
        .map((p) => [p.code, roundFixed(fx.fixed({ currency: p.targetCurrency as string, valueDate: asOf, amountMinor: p.targetMinor as bigint }))]),
    );
    const reported = new Map(reportedRows.map((row) => [row.key, row]));
    const reportedForeign = reported.get('foreign_assistance_total');
    const reportedMoney = (row: ReportedFigureRow | undefined) =>
      row?.currency
        ? roundFixed(fx.fixed({ currency: row.currency, valueDate: row.asOf, amountMinor: parseAmount(row.value, row.currency, 'value').minor }))
        : null;
    const reportedTotal = reportedMoney(reportedForeign);
    const reportedPledgedRow = reported.get('foreign_assistance_pledged');
    const reportedPledged = reportedMoney(reportedPledgedRow);
    const byPriority: PriorityGapRow[] = priorities.map((p, i) => {
      const target = targetByCode.get(p.code) ?? null;
      const priorityGoods = goods(inKindByPriority.filter((q) => q.priorityCode === p.code));
      return {
        code: p.code,
        rank: p.rank,
        title: p.title,
        pledged: money(priorityPledged[i]),
        received: money(priorityReceived[i]),
        disbursed: money(priorityReceived[i]),
        target: target === null ? null : money(target),
        gap: target === null ? null : money(gapToTarget(target, priorityPledged[i])),
        percentFunded: target === null ? null : shareOf(priorityPledged[i], target),
        unfunded: priorityPledged[i] === 0n && priorityGoods.length === 0,
        inKind: priorityGoods,
      };
    });

    const reportedShare = reported.get('foreign_share');
    const notes: string[] = [];
    if (filter.knownOn !== undefined)
      notes.push(
        `As known on ${filter.knownOn}: only what was recorded ${filter.knownOn.includes('T') ? 'before then' : 'by the end of that day (UTC)'} counts, each pledge as it then stood, converted at the rates recorded by then.`,
      );
    const share = (part: bigint | null) => (governmentMinor === null || part === null ? null : shareOf(part, governmentMinor + part));
    if (government === null) {
      const first = await this.national.firstGovernmentObservation(filter.knownOn);
      notes.push(
        first
          ? `Government spend is not recorded for this date: the first figure is stated as at ${first.asAt} (${shortCitation(first.source)}). Shares that need it are not computed.`
          : 'Government spend is not recorded: no figure has been entered. Shares that need it are not computed.',
      );
    }
    const projection = governmentMinor === null ? null : this.projection(currency, asOf, governmentMinor, government, clearance);
    if (reportedTotal !== null && reportedPledged !== null && reportedForeign && reportedPledgedRow && reportedTotal !== reportedPledged) {
      const apart = reportedPledged > reportedTotal ? reportedPledged - reportedTotal : reportedTotal - reportedPledged;
      notes.push(
        `Two documents state foreign money differently: ${people(reportedTotal)} (${shortCitation(reportedForeign.source)}, as at ${reportedForeign.asOf}) ` +
          `and ${people(reportedPledged)} pledged (${shortCitation(reportedPledgedRow.source)}, as at ${reportedPledgedRow.asOf}), ` +
          `${people(apart)} apart. Both are shown as stated; neither is corrected.`,
      );
    }
    if (ledger.updating !== null)
      notes.push(
        `Figures are being brought up to date after a new or corrected rate (or an upgrade): ${ledger.updating.rowsWaiting.toLocaleString('en-GB')} ledger rows are waiting to be revalued` +
          (ledger.updating.revaluationsPending > 0
            ? `, and ${ledger.updating.revaluationsPending === 1 ? 'a revaluation is' : `${ledger.updating.revaluationsPending} revaluations are`} still finding the rows the rate changes`
            : '') +
          '. Until they are revalued, those rows count at their previous values.',
      );
    if (ledger.valuedInMemory > 0)
      notes.push(
        `${ledger.valuedInMemory.toLocaleString('en-GB')} ledger rows are still waiting for their stored values (after a new rate or an upgrade); these figures already value them at the rates now recorded.`,
      );
    const rates = fx.ratesUsed();
    const ratesUsed = summariseRates(rates, fx.staleness());
    for (const pair of ratesUsed) {
      const stale = fx.staleness().get(`${pair.base}/${pair.quote}`);
      if (pair.staleDays !== undefined && stale)
        notes.push(
          `${pair.base}/${pair.quote}: some figures use the rate of ${stale.rateDate}, ${stale.days.toLocaleString('en-GB')} days before their value date ${stale.valueDate}; no rate nearer that date is recorded.`,
        );
    }

    const view: FundingGapView = {
      currency,
      asOf,
      knownOn: filter.knownOn ?? null,
      filter: {
        donorId: filter.donorId ?? null,
        priorityCode: filter.priorityCode ?? null,
        pledgeCurrency: filter.currency ?? null,
        status: filter.status ?? null,
      },
      generatedAt: new Date().toISOString(),
      valueDates: VALUE_DATES,
      government: {
        total: governmentMinor === null ? null : money(governmentMinor),
        stated: government ? { amount: formatAmount(government.amountMinor, government.currency), currency: government.currency } : null,
        asAt: government?.asAt ?? null,
        basis: government?.basis ?? null,
        periodStart: government?.periodStart ?? null,
        source: government?.source ?? null,
        sourcePage: government?.sourcePage ?? null,
        sources: government ? [government.source] : [],
      },
      foreign: {
        pledged: money(pledgedCash),
        inKindValue: money(inKindValue),
        itemised: money(itemised),
        received: money(received),
        disbursed: money(received),
        inKindDeliveredValue: money(inKindDelivered),
        outstanding: money(outstanding),
        receiptNotDocumented: money(notDocumented),
        cancelled: money(cancelled),
        reportedTotal: reportedTotal === null ? null : money(reportedTotal),
        notItemised: reportedTotal === null ? null : money(reportedTotal - itemised),
        reportedPledged: reportedPledged === null ? null : money(reportedPledged),
      },
      foreignShare: {
        pledged: share(itemised),
        received: share(received),
        disbursed: share(received),
        reported: reportedShare?.value ?? null,
        reportedComputed: share(reportedTotal),
      },
      reported: {
        foreignTotal: reportedView(reportedForeign),
        foreignPledged: reportedView(reported.get('foreign_assistance_pledged')),
        foreignShare: reportedView(reportedShare),
        governmentTotal: reportedView(reported.get('government_spend_total')),
      },
      byDonor,
      byPriority,
      notEarmarked: {
        pledged: money(priorityPledged[priorities.length]),
        received: money(priorityReceived[priorities.length]),
        disbursed: money(priorityReceived[priorities.length]),
      },
      earmarkSplit: { rule: EARMARK_SPLIT_RULE, pledgesWithStatedShares: splitCounts.statedShares, pledgesSplitEvenly: splitCounts.evenSplit },
      projection,
      notes,
      updating: ledger.updating,
      ratesUsed,
    };
    return { view, rates };
  }

  /** A donor's pledges worth listing in a digest: the largest by value in `currency` and the latest, with the donor's pledge count. */
  donorPledgeCandidates(donorId: number, currency: DisplayCurrency, largest: number, latest: number): Promise<DonorPledgeCandidates> {
    return this.ledger.donorPledgeCandidates(donorId, currency, largest, latest);
  }

  /**
   * One line's figures per pledge, for the few pledges a digest lists, by the rules of the totals:
   * the pledge's stored value, its receipts at their own dates, and what is not yet received (at the
   * pledge's value date) as outstanding or receipt not documented. Null money: no value (unvalued
   * goods, or no rate).
   */
  async pledgeLines(ids: readonly number[], currency: DisplayCurrency, asOf: string = todayUtc()): Promise<Map<number, PledgeLineFigures>> {
    const [rows] = await Promise.all([this.ledger.pledgeFigures(ids, asOf, currency), this.fxService.revalidate()]);
    const lines = new Map<number, PledgeLineFigures>();
    for (const row of rows) {
      let balance: bigint | null = null;
      let stale: StaleRate | null = null;
      if (row.balanceMinor !== null && row.currency !== null) {
        const open = row.bucket === 'cancelled' || row.balanceMinor < 0n ? 0n : row.balanceMinor;
        const c = await this.fxService.convert({ minor: open, currency: row.currency }, currency, row.valueDate).catch((error: unknown) => {
          if (error instanceof MissingRateError) return null;
          throw error;
        });
        balance = c ? c.converted.minor : null;
        stale = c ? staleness(row.valueDate, c.ratesUsed) : null;
      }
      const valued = row.pledgedValue !== null && row.unvaluedReceipts === 0;
      lines.set(row.id, {
        pledged: row.pledgedValue,
        received: valued ? row.receivedValue : null,
        outstanding: balance === null ? null : row.bucket === 'outstanding' ? balance : 0n,
        receiptNotDocumented: balance === null ? null : row.bucket === 'not_documented' ? balance : 0n,
        bucket: row.bucket,
        valueDate: row.valueDate,
        stale,
      });
    }
    return lines;
  }

  /**
   * Expected foreign money by quarter: what the receipts do not yet cover of the planned
   * instalments of standing cash pledges (overdue ones in the quarter they were due), converted
   * to `currency` as the engine converts the pledge itself (at its value date, the nearest earlier
   * published rate), beside this year's work-plan need from the projection. A quarter whose money
   * cannot be converted is null; so is the need when the projection or this year's plan is not known.
   */
  async forecast(currency: DisplayCurrency): Promise<Forecast> {
    const today = todayUtc();
    const [rows, projection] = await Promise.all([this.schedule.uncoveredCashInstalments(), this.projectionAt(currency, today), this.fxService.revalidate()]);
    const parts = rows
      .filter((r) => r.currency !== null)
      .map((r) => ({
        dueOn: r.dueOn,
        currency: r.currency as string,
        valueDate: pledgeValueDate({ pledgedOn: r.pledgedOn, sourceDate: r.sourceDate, createdAt: r.pledgeCreatedAt }).valueDate,
        expectedMinor: instalmentStanding({ size: r.size, dueOn: r.dueOn, scheduledBefore: r.scheduledBefore, received: r.received, cancelled: false }, today)
          .expected,
      }));
    const quarters = new Map<string, bigint | null>();
    for (const group of forecastGroups(parts)) {
      const sum = quarters.has(group.quarter) ? (quarters.get(group.quarter) ?? null) : 0n;
      const converted = await this.fxService
        .convert({ minor: group.expectedMinor, currency: group.currency }, currency, group.valueDate)
        .catch((error: unknown) => {
          if (error instanceof MissingRateError) return null;
          throw error;
        });
      quarters.set(group.quarter, sum === null || converted === null ? null : sum + converted.converted.minor);
    }
    const plan = projection?.workPlan;
    return {
      currency,
      asOf: today,
      quarters: [...quarters].map(([quarter, minor]) => ({ quarter, expected: minor === null ? null : { amount: formatAmount(minor, currency), currency } })),
      workPlanNeed: plan && plan.year === Number(today.slice(0, 4)) ? plan.need : null,
      workPlanYear: plan && plan.year === Number(today.slice(0, 4)) ? plan.year : null,
    };
  }

  /**
   * The projection on `asOf` without the ledger, which it does not read: the forecast's work-plan
   * need. The page shows the forecast beside figures of another asOf, and computing the whole gap
   * for today for this one figure cost a second computation (3 s on the bench's ledger).
   */
  private async projectionAt(currency: DisplayCurrency, asOf: string): Promise<FundingGapView['projection']> {
    const [government, clearance] = await Promise.all([this.national.governmentAt(asOf), this.clearance.statedBy(asOf)]);
    if (!government) return null;
    const rates = await this.fxService.ratesAmong([...new Set([currency, ...PIVOTS, government.currency])], { asOf });
    return this.projection(currency, asOf, governmentIn(new DisplayConverter(new RateTable(rates), currency), government), government, clearance);
  }

  private projection(
    currency: DisplayCurrency,
    asOf: string,
    governmentMinor: bigint,
    government: GovernmentFigure | null,
    clearance: ClearanceFigure[],
  ): FundingGapView['projection'] {
    const latest = (metric: string) => clearance.find((c) => c.metric === metric);
    const contaminated = latest('contaminated_area');
    const cleared = latest('cleared_to_date');
    if (!contaminated || !cleared || !government) return null;
    const asOfYear = Number(asOf.slice(0, 4));
    const plan = clearance
      .filter((c) => c.metric === 'work_plan' && c.planYear !== null && c.planYear <= asOfYear)
      .sort((a, b) => (b.planYear as number) - (a.planYear as number))[0];
    const figure = (c: typeof cleared) => ({ hectares: c.hectares, asOf: c.asOf, periodStart: c.periodStart, source: shortCitation(c.source) });
    const projection = projectClearanceCost({
      currency,
      governmentMinor,
      government: {
        source: shortCitation(government.source),
        asAt: government.asAt,
        basis: government.basis,
        periodStart: government.periodStart,
      },
      contaminated: figure(contaminated),
      cleared: figure(cleared),
      workPlan: plan ? { ...figure(plan), year: plan.planYear as number } : null,
      asOfYear,
    });
    if (!projection) return null;
    const sources = [...new Set([government.source, contaminated.source, cleared.source, ...(plan ? [plan.source] : [])])];
    return { ...projection, sources };
  }
}

/** One entry per pair and source: first and last date used, how many rates, and how stale the oldest use was. */
function summariseRates(rates: readonly RateQuote[], staleness: ReadonlyMap<string, { days: number }>): RatePairSummary[] {
  const groups = new Map<string, RatePairSummary>();
  for (const rate of rates) {
    const key = `${rate.base}/${rate.quote}/${rate.source}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { base: rate.base, quote: rate.quote, firstDate: rate.date, lastDate: rate.date, count: 1, source: rate.source });
    else {
      group.count += 1;
      if (rate.date < group.firstDate) group.firstDate = rate.date;
      if (rate.date > group.lastDate) group.lastDate = rate.date;
    }
  }
  return [...groups.values()].map((group) => {
    const stale = staleness.get(`${group.base}/${group.quote}`);
    return stale && stale.days > STALE_RATE_DAYS ? { ...group, staleDays: stale.days } : group;
  });
}

/** "002: ANAMA, Report on…" → "document 002": assumptions name the document; `sources` give it in full. */
function shortCitation(source: string): string {
  const code = /^(\d{3}):/.exec(source);
  return code ? `document ${code[1]}` : source;
}

/** Orders two decimal strings of one currency without floats. */
function compareMinor(a: string, b: string): number {
  const x = BigInt(a.replace('.', ''));
  const y = BigInt(b.replace('.', ''));
  return x === y ? 0 : x < y ? -1 : 1;
}
