import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates';
import { MissingRateError } from '../common/errors/domain-errors';
import { shareOf, type RateQuote } from '../common/money/conversion';
import { formatAmount, parseAmount, type MoneyJson } from '../common/money/money';
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
import { LedgerValuation } from '../fx/ledger-valuation';
import { PIVOTS, RateTable } from '../fx/rate-table';
import { FundingGapRepository, type DatedSum, type DonorValue, type PriorityValue, type ReportedFigureRow } from './funding-gap.repository';

const gzipAsync = promisify(gzip);

/** A response body ready to send, with its entity tag computed once rather than on every request. */
export interface EncodedBody {
  body: Buffer;
  etag: string;
}

function encoded(body: Buffer, variant: string): EncodedBody {
  return { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}${variant}"` };
}

export const DISPLAY_CURRENCIES = ['USD', 'EUR', 'AZN'] as const;
export type DisplayCurrency = (typeof DISPLAY_CURRENCIES)[number];

export const EARMARK_SPLIT_RULE = 'stated shares or even split';

export interface ReportedFigureView {
  value: string;
  currency: string | null;
  asOf: string;
  source: string;
}

export interface DonorGapRow {
  donorId: number;
  name: string;
  pledged: MoneyJson;
  disbursed: MoneyJson;
  outstanding: MoneyJson;
  inKind: Array<{ unit: string; pledged: number; delivered: number; upTo: boolean }>;
}

export interface PriorityGapRow {
  code: string;
  rank: number;
  title: string;
  pledged: MoneyJson;
  disbursed: MoneyJson;
  target: MoneyJson | null;
  gap: MoneyJson | null;
  /** Goods earmarked here, in their own units (unvalued goods add nothing to `pledged`). */
  inKind: Array<{ unit: string; pledged: number; delivered: number; upTo: boolean }>;
}

/** The body of GET /api/funding-gap (contract v1, plus the fields the page needs). */
export interface FundingGapView {
  currency: DisplayCurrency;
  asOf: string;
  generatedAt: string;
  valueDates: string;
  government: { total: MoneyJson; sources: string[] };
  foreign: {
    pledged: MoneyJson;
    disbursed: MoneyJson;
    inKindValue: MoneyJson;
    inKindDeliveredValue: MoneyJson;
    itemised: MoneyJson;
    received: MoneyJson;
    reportedTotal: MoneyJson | null;
    notItemised: MoneyJson | null;
  };
  foreignShare: { pledged: string | null; disbursed: string | null; reported: string | null; reportedComputed: string | null };
  reported: {
    foreignTotal: ReportedFigureView | null;
    foreignPledged: ReportedFigureView | null;
    foreignShare: ReportedFigureView | null;
    governmentTotal: ReportedFigureView | null;
  };
  byDonor: DonorGapRow[];
  byPriority: PriorityGapRow[];
  notEarmarked: { pledged: MoneyJson; disbursed: MoneyJson };
  earmarkSplit: { rule: string; pledgesWithStatedShares: number; pledgesSplitEvenly: number };
  projection: (Projection & { sources: string[] }) | null;
  ratesUsed: RateQuote[];
}

/**
 * A computed result serves reads until the next committed write on this instance. Another
 * instance's writes (several apps on one PostgreSQL) are seen once a result is this old (plus
 * one computation), the same bound FxService keeps for rates.
 */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 64;

interface CacheEntry {
  bornAt: number;
  result: Promise<FundingGapView>;
  json: Promise<EncodedBody> | null;
  gzip: Promise<EncodedBody> | null;
  refreshing: boolean;
}

const VALUE_DATES =
  'Pledges convert at their value date (pledge date, else the source document date, else the day recorded); money received at its receipt date; ' +
  'government spend at the end of its period; reported figures at their as-of date; priority targets at asOf. Each uses the nearest earlier published rate.';

/** Converts dated sums to one currency: one rate per (currency, date), every published rate it used kept. */
class DisplayConverter {
  private readonly rates = new Map<string, bigint>();
  private readonly used: RateQuote[] = [];
  private readonly noted = new Set<string>();

  constructor(
    private readonly table: RateTable,
    readonly currency: string,
  ) {}

  /** Fixed-point minor units of the display currency, at the rate of the sum's value date. */
  fixed(sum: DatedSum): bigint {
    const key = `${sum.currency}@${sum.valueDate}`;
    let rate = this.rates.get(key);
    if (rate === undefined) {
      const chained = this.table.rate(sum.currency, this.currency, sum.valueDate);
      if (!chained) throw new MissingRateError(sum.currency, this.currency, sum.valueDate);
      rate = fixedMinorRate(sum.currency, this.currency, chained.rate);
      this.rates.set(key, rate);
      this.used.push(...chained.ratesUsed);
    }
    return sum.amountMinor * rate;
  }

  /** Records the rates a stored value was converted at; a (currency, date) without one is a MissingRateError. */
  noteValueDate(currency: string, valueDate: string): void {
    const key = `${currency}@${valueDate}`;
    if (this.noted.has(key) || this.rates.has(key)) return;
    this.noted.add(key);
    const used = this.table.ratesUsed(currency, this.currency, valueDate);
    if (!used) throw new MissingRateError(currency, this.currency, valueDate);
    this.used.push(...used);
  }

  ratesUsed(): RateQuote[] {
    return uniqueRates(this.used);
  }
}

function reportedView(row: ReportedFigureRow | undefined): ReportedFigureView | null {
  return row ? { value: row.value, currency: row.currency, asOf: row.asOf, source: row.source } : null;
}

/**
 * The funding gap: government against foreign money, by donor and by priority, the reported
 * headline beside the itemised ledger, and the projection. The API and the page both read it
 * from here, so they cannot disagree.
 */
@Injectable()
export class FundingGapService {
  private readonly cache = new Map<string, CacheEntry>();
  /** Moves on every committed write; a result computed under an older generation is never cached. */
  private generation = 0;

  constructor(
    private readonly repository: FundingGapRepository,
    private readonly valuation: LedgerValuation,
    uow: UnitOfWork,
  ) {
    uow.onCommit(() => {
      this.generation++;
      this.cache.clear();
    });
  }

  /**
   * The state on `asOf` (today when omitted) in `currency`. Concurrent callers of one key share one
   * computation; a result older than CACHE_TTL_MS is still served while a fresh one is computed.
   */
  get(currency: DisplayCurrency, asOf: string = todayUtc()): Promise<FundingGapView> {
    return this.entryFor(currency, asOf).result;
  }

  /**
   * The same figures as a JSON body, serialised (and gzipped, when the client takes it) once per
   * computation: with years of daily rates, `ratesUsed` alone runs to hundreds of kilobytes.
   */
  getBody(currency: DisplayCurrency, asOf: string = todayUtc(), gzipped = false): Promise<EncodedBody> {
    const entry = this.entryFor(currency, asOf);
    entry.json ??= entry.result.then((view) => encoded(Buffer.from(JSON.stringify(view)), ''));
    if (!gzipped) return entry.json;
    entry.gzip ??= entry.json.then(async (json) => encoded(await gzipAsync(json.body), '-gzip'));
    return entry.gzip;
  }

  private entryFor(currency: DisplayCurrency, asOf: string): CacheEntry {
    const key = `${currency}@${asOf}`;
    const hit = this.cache.get(key);
    if (!hit) return this.computeInto(key, currency, asOf, null);
    if (!hit.refreshing && Date.now() - hit.bornAt >= CACHE_TTL_MS) {
      hit.refreshing = true;
      this.computeInto(key, currency, asOf, hit).result.catch(() => undefined);
    }
    return hit;
  }

  private computeInto(key: string, currency: DisplayCurrency, asOf: string, replacing: CacheEntry | null): CacheEntry {
    const generation = this.generation;
    const entry: CacheEntry = { bornAt: Date.now(), result: this.compute(currency, asOf), json: null, gzip: null, refreshing: false };
    if (!replacing) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, entry);
    }
    entry.result.then(
      () => {
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
   * Ledger money comes from each row's stored value in `currency` (valued first if any row waits),
   * summed in SQL per donor and per priority; the rates behind those values are listed from the
   * distinct (currency, value date) pairs. A value found missing after that (a rate arrived while
   * this ran and marked rows for revaluation) means the figures straddle two states: value and sum again.
   */
  private async compute(currency: DisplayCurrency, asOf: string): Promise<FundingGapView> {
    for (let attempt = 1; ; attempt++) {
      await this.valuation.valuePending();
      const view = await this.computeValued(currency, asOf);
      if (view || attempt === 3) {
        if (!view) throw new Error('The ledger kept changing while the funding gap was computed; try again');
        return view;
      }
    }
  }

  private async computeValued(currency: DisplayCurrency, asOf: string): Promise<FundingGapView | null> {
    const r = this.repository;
    const [donorNames, priorities, spend, reportedRows, clearance, inKind, inKindByPriority, splitCounts, valueDates] = await Promise.all([
      r.donorNames(),
      r.priorities(),
      r.governmentSpend(asOf),
      r.latestReportedFigures(asOf),
      r.clearanceFigures(asOf),
      r.inKindQuantities(asOf),
      r.inKindQuantitiesByPriority(asOf),
      r.splitRuleCounts(asOf),
      r.valueDates(asOf),
    ]);
    const converted = [
      ...valueDates.map((v) => v.currency),
      ...spend.map((s) => s.currency),
      ...reportedRows.flatMap((row) => (row.currency ? [row.currency] : [])),
      ...priorities.flatMap((p) => (p.targetCurrency ? [p.targetCurrency] : [])),
    ];
    const fx = new DisplayConverter(new RateTable(await r.ratesAmong([...new Set([currency, ...PIVOTS, ...converted])], asOf)), currency);
    for (const v of valueDates) fx.noteValueDate(v.currency, v.valueDate);
    const money = (minor: bigint): MoneyJson => ({ amount: formatAmount(minor, currency), currency });
    const [pledgedDonorRows, receivedDonorRows, pledgedPriorityRows, receivedPriorityRows] = await Promise.all([
      r.pledgedByDonor(asOf, currency),
      r.receivedByDonor(asOf, currency),
      r.pledgedByPriority(asOf, currency),
      r.receivedByPriority(asOf, currency),
    ]);
    if ([...pledgedDonorRows, ...receivedDonorRows, ...pledgedPriorityRows, ...receivedPriorityRows].some((row) => row.unvalued > 0)) return null;

    // Fixed-point totals per donor and kind, and per priority; each headline is rounded once from them.
    const donorIds = new Set<number>(inKind.map((q) => q.donorId));
    const sumByDonor = (rows: DonorValue[]) => {
      const byDonor = new Map<number, bigint>();
      let cash = 0n;
      let goods = 0n;
      for (const s of rows) {
        const value = s.valueMinor * FIXED_SCALE;
        byDonor.set(s.donorId, (byDonor.get(s.donorId) ?? 0n) + value);
        donorIds.add(s.donorId);
        if (s.kind === 'cash') cash += value;
        else goods += value;
      }
      return { byDonor, cash, goods };
    };
    const sumByPriority = (rows: PriorityValue[]) => {
      const byPriority = new Map<string, bigint>();
      for (const s of rows)
        byPriority.set(s.priorityCode, (byPriority.get(s.priorityCode) ?? 0n) + earmarkPortion(s.valueMinor * FIXED_SCALE, s.shareBasisPoints, s.earmarkCount));
      return byPriority;
    };
    const pledgedByDonor = sumByDonor(pledgedDonorRows);
    const receivedByDonor = sumByDonor(receivedDonorRows);
    const pledgedByPriority = sumByPriority(pledgedPriorityRows);
    const receivedByPriority = sumByPriority(receivedPriorityRows);

    const pledgedCash = roundFixed(pledgedByDonor.cash);
    const inKindValue = roundFixed(pledgedByDonor.goods);
    const receivedCash = roundFixed(receivedByDonor.cash);
    const inKindDelivered = roundFixed(receivedByDonor.goods);
    const itemised = pledgedCash + inKindValue;
    const received = receivedCash + inKindDelivered;
    const government = roundFixed(spend.reduce((total, s) => total + fx.fixed(s), 0n));

    // By donor: rounded so the rows add up to the headline.
    const donors = [...donorIds];
    const donorPledged = allocateToTotal(
      donors.map((id) => pledgedByDonor.byDonor.get(id) ?? 0n),
      itemised,
    );
    const donorReceived = allocateToTotal(
      donors.map((id) => receivedByDonor.byDonor.get(id) ?? 0n),
      received,
    );
    const byDonor: DonorGapRow[] = donors
      .map((donorId, i) => ({
        donorId,
        name: donorNames.get(donorId) ?? `Donor ${donorId}`,
        pledged: money(donorPledged[i]),
        disbursed: money(donorReceived[i]),
        outstanding: money(donorPledged[i] - donorReceived[i]),
        inKind: inKind.filter((q) => q.donorId === donorId).map(({ unit, pledged, delivered, upTo }) => ({ unit, pledged, delivered, upTo })),
      }))
      .sort((a, b) => compareMinor(b.pledged.amount, a.pledged.amount) || a.name.localeCompare(b.name));

    // By priority: earmarks split exactly, the unearmarked rest as its own line, rows adding up to the headline.
    const withUnearmarked = (byCode: Map<string, bigint>, total: bigint) => {
      const parts = priorities.map((p) => byCode.get(p.code) ?? 0n);
      return [...parts, total - parts.reduce((a, b) => a + b, 0n)];
    };
    const priorityPledged = allocateToTotal(withUnearmarked(pledgedByPriority, pledgedByDonor.cash + pledgedByDonor.goods), itemised);
    const priorityReceived = allocateToTotal(withUnearmarked(receivedByPriority, receivedByDonor.cash + receivedByDonor.goods), received);
    const targetByCode = new Map(
      priorities
        .filter((p) => p.targetMinor !== null && p.targetCurrency !== null)
        .map((p) => [p.code, roundFixed(fx.fixed({ currency: p.targetCurrency as string, valueDate: asOf, amountMinor: p.targetMinor as bigint }))]),
    );
    const reported = new Map(reportedRows.map((row) => [row.key, row]));
    const reportedForeign = reported.get('foreign_assistance_total');
    const reportedTotal = reportedForeign?.currency
      ? roundFixed(
          fx.fixed({
            currency: reportedForeign.currency,
            valueDate: reportedForeign.asOf,
            amountMinor: parseAmount(reportedForeign.value, reportedForeign.currency, 'value').minor,
          }),
        )
      : null;
    const byPriority: PriorityGapRow[] = priorities.map((p, i) => {
      const target = targetByCode.get(p.code) ?? null;
      return {
        code: p.code,
        rank: p.rank,
        title: p.title,
        pledged: money(priorityPledged[i]),
        disbursed: money(priorityReceived[i]),
        target: target === null ? null : money(target),
        gap: target === null ? null : money(gapToTarget(target, priorityPledged[i])),
        inKind: inKindByPriority.filter((q) => q.priorityCode === p.code).map(({ unit, pledged, delivered, upTo }) => ({ unit, pledged, delivered, upTo })),
      };
    });

    const reportedShare = reported.get('foreign_share');
    const projection = this.projection(currency, asOf, government, spend, clearance);

    return {
      currency,
      asOf,
      generatedAt: new Date().toISOString(),
      valueDates: VALUE_DATES,
      government: { total: money(government), sources: [...new Set(spend.map((s) => s.sources))] },
      foreign: {
        pledged: money(pledgedCash),
        disbursed: money(receivedCash),
        inKindValue: money(inKindValue),
        inKindDeliveredValue: money(inKindDelivered),
        itemised: money(itemised),
        received: money(received),
        reportedTotal: reportedTotal === null ? null : money(reportedTotal),
        notItemised: reportedTotal === null ? null : money(reportedTotal - itemised),
      },
      foreignShare: {
        pledged: shareOf(itemised, government + itemised),
        disbursed: shareOf(received, government + received),
        reported: reportedShare?.value ?? null,
        reportedComputed: reportedTotal === null ? null : shareOf(reportedTotal, government + reportedTotal),
      },
      reported: {
        foreignTotal: reportedView(reportedForeign),
        foreignPledged: reportedView(reported.get('foreign_assistance_pledged')),
        foreignShare: reportedView(reportedShare),
        governmentTotal: reportedView(reported.get('government_spend_total')),
      },
      byDonor,
      byPriority,
      notEarmarked: { pledged: money(priorityPledged[priorities.length]), disbursed: money(priorityReceived[priorities.length]) },
      earmarkSplit: { rule: EARMARK_SPLIT_RULE, pledgesWithStatedShares: splitCounts.statedShares, pledgesSplitEvenly: splitCounts.evenSplit },
      projection,
      ratesUsed: fx.ratesUsed(),
    };
  }

  private projection(
    currency: DisplayCurrency,
    asOf: string,
    governmentMinor: bigint,
    spend: Array<{ sources: string }>,
    clearance: Awaited<ReturnType<FundingGapRepository['clearanceFigures']>>,
  ): FundingGapView['projection'] {
    const latest = (metric: string) => clearance.find((c) => c.metric === metric);
    const contaminated = latest('contaminated_area');
    const cleared = latest('cleared_to_date');
    if (!contaminated || !cleared) return null;
    const asOfYear = Number(asOf.slice(0, 4));
    const plan = clearance
      .filter((c) => c.metric === 'work_plan' && c.planYear !== null && c.planYear <= asOfYear)
      .sort((a, b) => (b.planYear as number) - (a.planYear as number))[0];
    const figure = (c: typeof cleared) => ({ hectares: c.hectares, asOf: c.asOf, periodStart: c.periodStart, source: shortCitation(c.source) });
    const governmentSources = [...new Set(spend.map((s) => s.sources))];
    const governmentSource = governmentSources.map(shortCitation).join('; ') || 'no government spend recorded';
    const projection = projectClearanceCost({
      currency,
      governmentMinor,
      governmentSource,
      contaminated: figure(contaminated),
      cleared: figure(cleared),
      workPlan: plan ? { ...figure(plan), year: plan.planYear as number } : null,
      asOfYear,
    });
    if (!projection) return null;
    const sources = [...new Set([...governmentSources, contaminated.source, cleared.source, ...(plan ? [plan.source] : [])])];
    return { ...projection, sources };
  }
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
