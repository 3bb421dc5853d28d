import { Inject, Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates';
import { MissingRateError } from '../common/errors/domain-errors';
import { convertMinor, RateDecimal, RateQuote, shareOf } from '../common/money/conversion';
import { formatAmount, Money, parseAmount } from '../common/money/money';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { DonorEntity } from '../donors/donor.entity';
import { FxService } from '../fx/fx.service';
import { fulfilmentOf, PledgeStatus } from '../pledges/fulfilment';
import { PledgeEntity } from '../pledges/pledge.entity';
import { PledgesRepository } from '../pledges/pledges.repository';
import { PrioritiesService, PriorityView } from '../priorities/priorities.service';
import { MEANING_PALETTE } from '../common/presentation/charts/svg-charts';
import { formatMoneyHuman, formatQuantity, formatShare } from '../common/presentation/format';
import { barPercent, ClearanceSummary, clearanceSummary, inKindProgress, periodLabel, PriorityFunding, priorityFunding, unfundedFirst } from './digest-rules';
import { DatedSum, DigestsRepository } from './digests.repository';

const STATUS_LABELS: Record<PledgeStatus, string> = {
  announced: 'Announced',
  committed: 'Committed',
  partly_disbursed: 'Partly received',
  fully_disbursed: 'Fully received',
  cancelled: 'Cancelled',
};

const FUNDING_LABELS: Record<PriorityFunding, string> = {
  unfunded: 'Unfunded',
  partly_funded: 'Partly funded',
  funded: 'Funded',
  pledged_no_target: 'Pledges recorded, no target set',
};

export interface PledgeLine {
  title: string;
  status: string;
  isCash: boolean;
  pledged: string | null;
  received: string | null;
  outstanding: string | null;
  inKind: string | null;
  priorities: string | null;
  source: string | null;
  notes: string | null;
  converted: { pledged: string; received: string | null; outstanding: string | null; note: string } | null;
  noRate: string | null;
}

export interface PriorityLine {
  code: string;
  rank: number;
  title: string;
  status: string;
  isUnfunded: boolean;
  pledged: string;
  received: string;
  /** Every pledge to it is goods without a money value (dogs, teams): no amount to show. */
  inKindOnly: boolean;
  target: string | null;
  gap: string | null;
  /** Bar widths in whole percent, only where a target is set. */
  bar: { fundedPct: number; gapPct: number } | null;
  yours: boolean;
}

export interface ClearanceLine {
  cleared: string;
  contaminated: string;
  share: string;
  asOf: string;
  source: string;
  workPlan: { year: number; hectares: string } | null;
  bar: { clearedPct: number; remainingPct: number };
}

export interface NationalPicture {
  currency: string;
  government: string;
  foreignPledged: string;
  foreignReceived: string;
  ledgerShare: string;
  reported: { share: string; asOf: string; source: string } | null;
  bar: { governmentPct: number; foreignPct: number } | null;
  ratesNote: string;
  incomplete: boolean;
}

/** Everything the two templates print: preformatted strings, so templates only lay them out. */
export interface DigestView {
  donor: { id: number; name: string; notes: string | null; displayCurrency: string };
  period: string;
  periodLabel: string;
  generatedOn: string;
  palette: { government: string; foreign: string; foreignTint: string; gap: string; gapTint: string; gapInk: string };
  /** At most DIGEST_PLEDGES_LISTED lines: the largest and the latest, newest first. */
  pledges: PledgeLine[];
  hasPledges: boolean;
  /** All of the donor's pledges, listed or not. */
  pledgeCount: number;
  /** What the list leaves out, with a link to the donor's page; null when every pledge is listed. */
  morePledges: { count: number; summary: string; link: string } | null;
  yourTotals: { pledged: string; received: string; outstanding: string } | null;
  national: NationalPicture;
  clearance: ClearanceLine | null;
  priorities: PriorityLine[];
  priorityCount: number;
  unfundedCount: number;
  links: { donorPage: string; unsubscribe: string | null };
  contactLine: string;
}

interface SharedFigures {
  national: NationalPicture;
  clearance: ClearanceLine | null;
  priorities: Omit<PriorityLine, 'yours'>[];
}

const PALETTE = {
  government: MEANING_PALETTE.government.fill,
  foreign: MEANING_PALETTE.foreign.fill,
  foreignTint: MEANING_PALETTE.foreign.tint,
  gap: MEANING_PALETTE.gap.fill,
  gapTint: MEANING_PALETTE.gap.tint,
  gapInk: MEANING_PALETTE.gap.ink,
};

function human(minor: bigint, currency: string): string {
  return formatMoneyHuman(formatAmount(minor, currency), currency);
}

/**
 * A digest (and its preview) lists at most this many of the donor's pledges, half the largest in
 * the display currency and the rest the latest by value date, and says how many more there are.
 * The totals always cover every pledge. Without a bound, a donor with 100,000 pledges made a 65 MB
 * email and 400,000 ran the process out of memory.
 */
export const DIGEST_PLEDGES_LISTED = 20;

interface Candidate {
  id: number;
  valueDate: string;
  valueMinor: bigint | null;
  line: PledgeLine;
}

/** Keeps the largest and the latest pledges seen so far, never more than `limit` in all. */
export class ListedPledges {
  private largest: Candidate[] = [];
  private latest: Candidate[] = [];

  constructor(private readonly limit: number) {}

  offer(c: Candidate): void {
    const half = Math.ceil(this.limit / 2);
    if (c.valueMinor !== null) this.largest = keepTop([...this.largest, c], half, (a, b) => compareBig(b.valueMinor!, a.valueMinor!) || b.id - a.id);
    this.latest = keepTop([...this.latest, c], this.limit, byNewest);
  }

  /** The largest, topped up with the latest that are not among them, newest first. */
  lines(): PledgeLine[] {
    const chosen = new Map(this.largest.map((c) => [c.id, c]));
    for (const c of this.latest) {
      if (chosen.size >= this.limit) break;
      chosen.set(c.id, c);
    }
    return [...chosen.values()].sort(byNewest).map((c) => c.line);
  }
}

function byNewest(a: Candidate, b: Candidate): number {
  return b.valueDate.localeCompare(a.valueDate) || b.id - a.id;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keepTop<T>(items: T[], n: number, order: (a: T, b: T) => number): T[] {
  return items.length <= n ? items : items.sort(order).slice(0, n);
}

/** Above this many distinct published rates, each pair is summarised by its count and date range. */
const RATES_LISTED_IN_FULL = 6;

function describeRates(rates: RateQuote[]): string {
  const seen = new Map<string, RateQuote>();
  for (const r of rates) seen.set(`${r.base}/${r.quote}/${r.date}`, r);
  const distinct = [...seen.values()].sort((a, b) => `${a.base}${a.quote}${a.date}`.localeCompare(`${b.base}${b.quote}${b.date}`));
  if (distinct.length <= RATES_LISTED_IN_FULL) return distinct.map((r) => `1 ${r.base} = ${r.rate} ${r.quote} on ${r.date} (${r.source})`).join('; ');
  const pairs = new Map<string, RateQuote[]>();
  for (const r of distinct) pairs.set(`${r.base}/${r.quote}`, [...(pairs.get(`${r.base}/${r.quote}`) ?? []), r]);
  return [...pairs.entries()]
    .map(
      ([pair, list]) =>
        `${pair}: ${list.length} published rate(s), each at its value date, ${list[0].date} to ${list[list.length - 1].date} (${[...new Set(list.map((r) => r.source))].join(', ')})`,
    )
    .join('; ');
}

/**
 * One run's view of the ledger. The national picture and the priority list are the same for
 * every donor with the same display currency, so they are computed once per currency and run.
 */
export class DigestSnapshot {
  private readonly shared = new Map<string, Promise<SharedFigures>>();

  constructor(
    private readonly content: DigestContentService,
    readonly generatedOn: string,
  ) {}

  sharedFigures(currency: string): Promise<SharedFigures> {
    let figures = this.shared.get(currency);
    if (!figures) {
      figures = this.content.sharedFigures(currency, this.generatedOn);
      this.shared.set(currency, figures);
    }
    return figures;
  }
}

/**
 * Builds a donor's digest from the ledger. Only this donor's pledges are read one by one; the
 * rest are aggregates over all donors (national totals, priorities), never another donor's lines.
 */
@Injectable()
export class DigestContentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly pledges: PledgesRepository,
    private readonly priorities: PrioritiesService,
    private readonly fx: FxService,
  ) {}

  snapshot(now: Date = new Date()): DigestSnapshot {
    return new DigestSnapshot(this, todayUtc(now));
  }

  async build(snapshot: DigestSnapshot, donor: DonorEntity, period: string, unsubscribeUrl: string | null): Promise<DigestView> {
    const currency = donor.displayCurrency;
    const shared = await snapshot.sharedFigures(currency);
    const totals = { pledged: 0n, received: 0n, outstanding: 0n, complete: true };
    const supported = new Set<string>();
    const listed = new ListedPledges(DIGEST_PLEDGES_LISTED);
    let count = 0;
    let anyCash = false;
    // Every pledge counts in the totals; only the largest and the latest are kept as lines, so a
    // donor with 400,000 pledges costs one page of rows and DIGEST_PLEDGES_LISTED lines of memory.
    for await (const p of this.pledgesOf(donor.id)) {
      const { line, valueMinor } = await this.pledgeLine(p, currency, totals);
      count += 1;
      anyCash ||= line.isCash;
      listed.offer({ id: p.id, valueDate: p.pledgedOn ?? p.sourceDate ?? todayUtc(new Date(p.createdAt)), valueMinor, line });
      if (!p.cancelledAt) for (const e of p.earmarks ?? []) supported.add(e.priorityCode);
    }
    const lines = listed.lines();
    const priorities = shared.priorities.map((row) => ({ ...row, yours: supported.has(row.code) }));
    const donorPage = `${this.config.appUrl}/donors/${donor.id}`;
    return {
      donor: { id: donor.id, name: donor.name, notes: donor.notes, displayCurrency: currency },
      period,
      periodLabel: periodLabel(period),
      generatedOn: snapshot.generatedOn,
      palette: PALETTE,
      pledges: lines,
      hasPledges: lines.length > 0,
      pledgeCount: count,
      morePledges:
        count > lines.length
          ? {
              count: count - lines.length,
              summary: `The ${lines.length} largest and latest of your ${count.toLocaleString('en-GB')} pledges; ${(count - lines.length).toLocaleString('en-GB')} more are counted in the totals and listed in full on your page.`,
              link: donorPage,
            }
          : null,
      yourTotals:
        totals.complete && anyCash
          ? { pledged: human(totals.pledged, currency), received: human(totals.received, currency), outstanding: human(totals.outstanding, currency) }
          : null,
      national: shared.national,
      clearance: shared.clearance,
      priorities,
      priorityCount: priorities.length,
      unfundedCount: priorities.filter((p) => p.isUnfunded).length,
      links: { donorPage, unsubscribe: unsubscribeUrl },
      contactLine: `Questions about these figures: reply to this email or write to ${this.config.mailFrom}.`,
    };
  }

  /** The donor's pledges, 500 rows a query, oldest first. */
  private async *pledgesOf(donorId: number): AsyncGenerator<PledgeEntity> {
    for (let afterId = 0; ;) {
      const page = await this.pledges.page({ donorId, afterId, limit: 500 });
      yield* page.slice(0, 500);
      if (page.length <= 500) return;
      afterId = page[499].id;
    }
  }

  private async pledgeLine(
    p: PledgeEntity,
    currency: string,
    totals: { pledged: bigint; received: bigint; outstanding: bigint; complete: boolean },
  ): Promise<{ line: PledgeLine; valueMinor: bigint | null }> {
    const isCash = p.kind === 'cash';
    const f = fulfilmentOf({
      kind: p.kind,
      commitment: p.commitment,
      cancelled: p.cancelledAt !== null,
      amountMinor: isCash ? p.amountMinor : null,
      disbursedMinor: p.disbursedMinor,
      quantity: p.inKindQuantity,
      deliveredQuantity: p.deliveredQuantity,
    });
    const line: PledgeLine = {
      title: p.title,
      status: STATUS_LABELS[f.status],
      isCash,
      pledged: null,
      received: null,
      outstanding: null,
      inKind: isCash ? null : inKindProgress(p.deliveredQuantity, p.inKindQuantity ?? 0, p.inKindQuantityIsMaximum, p.inKindUnit ?? '') + ' delivered',
      priorities:
        (p.earmarks ?? [])
          .map((e) => e.priorityCode)
          .sort()
          .join(', ') || null,
      source: p.source,
      notes: p.notes,
      converted: null,
      noRate: null,
    };
    if (p.amountMinor === null || !p.currency) return { line, valueMinor: null };
    const from = p.currency;
    line.pledged = human(p.amountMinor, from);
    if (isCash) {
      line.received = human(p.disbursedMinor, from);
      line.outstanding = human(f.outstandingMinor ?? 0n, from);
    }
    if (from === currency) {
      if (isCash && !p.cancelledAt) this.addTotals(totals, p.amountMinor, p.disbursedMinor, f.outstandingMinor ?? 0n);
      return { line, valueMinor: p.amountMinor };
    }
    const valueDate = p.pledgedOn ?? p.sourceDate ?? todayUtc(new Date(p.createdAt));
    try {
      const c = await this.fx.convert({ minor: p.amountMinor, currency: from }, currency, valueDate);
      const at = (minor: bigint) => convertMinor({ minor, currency: from }, currency, c.rate).minor;
      const received = isCash ? at(p.disbursedMinor) : null;
      const outstanding = isCash ? at(f.outstandingMinor ?? 0n) : null;
      line.converted = {
        pledged: human(c.converted.minor, currency),
        received: received === null ? null : human(received, currency),
        outstanding: outstanding === null ? null : human(outstanding, currency),
        note: `at 1 ${from} = ${c.rate} ${currency}, the rate of the pledge's value date ${valueDate}: ${describeRates(c.ratesUsed)}`,
      };
      if (isCash && !p.cancelledAt) this.addTotals(totals, c.converted.minor, received ?? 0n, outstanding ?? 0n);
      return { line, valueMinor: c.converted.minor };
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
      line.noRate = `No ${from}/${currency} rate on or before ${valueDate}: shown in ${from} only.`;
      if (isCash) totals.complete = false;
    }
    return { line, valueMinor: null };
  }

  private addTotals(totals: { pledged: bigint; received: bigint; outstanding: bigint }, pledged: bigint, received: bigint, outstanding: bigint): void {
    totals.pledged += pledged;
    totals.received += received;
    totals.outstanding += outstanding;
  }

  /** Converts a dated sum, or reports that no rate exists; `rates` collects every published rate used. */
  private async convertSum(
    sum: Money,
    to: string,
    valueDate: string,
    rates: RateQuote[],
    share: InstanceType<typeof RateDecimal> | null = null,
  ): Promise<bigint | null> {
    try {
      const c = await this.fx.convert(sum, to, valueDate);
      rates.push(...c.ratesUsed);
      if (share === null) return c.converted.minor;
      return convertMinor(sum, to, new RateDecimal(c.rate).mul(share)).minor;
    } catch (error) {
      if (error instanceof MissingRateError) return null;
      throw error;
    }
  }

  /** Government spend, foreign pledges and the twelve priorities, all donors together, in one currency. */
  async sharedFigures(currency: string, today: string): Promise<SharedFigures> {
    const rates: RateQuote[] = [];
    let incomplete = false;
    const total = async (sums: DatedSum[], pick: (s: DatedSum) => bigint) => {
      let minor = 0n;
      for (const s of sums) {
        const converted = await this.convertSum({ minor: pick(s), currency: s.currency }, currency, s.valueDate, rates);
        if (converted === null) incomplete = true;
        else minor += converted;
      }
      return minor;
    };
    const [spend, foreign, reportedShare, priorityList, groups, clearanceFigures] = await Promise.all([
      this.repo.governmentSpendByCurrency(),
      this.repo.foreignPledgesByCurrencyAndDate(),
      this.repo.latestReported('foreign_share'),
      this.priorities.list(),
      this.repo.pledgesByPriority(),
      this.repo.clearanceFigures(today),
    ]);
    const government = await total(spend, (s) => s.minor);
    const foreignPledged = await total(foreign, (s) => s.minor);
    const foreignReceived = await total(foreign, (s) => (s as DatedSum & { disbursedMinor: bigint }).disbursedMinor);
    const whole = government + foreignPledged;
    const governmentPct = barPercent(government, whole);

    const national: NationalPicture = {
      currency,
      government: human(government, currency),
      foreignPledged: human(foreignPledged, currency),
      foreignReceived: human(foreignReceived, currency),
      ledgerShare: formatShare(shareOf(foreignPledged, whole)),
      reported: reportedShare ? { share: formatShare(reportedShare.value), asOf: reportedShare.asOf, source: reportedShare.source } : null,
      bar: whole > 0n ? { governmentPct, foreignPct: 100 - governmentPct } : null,
      ratesNote: '',
      incomplete: false,
    };
    const priorities = await this.priorityLines(priorityList, groups, currency, today, rates, () => (incomplete = true));
    national.ratesNote = describeRates(rates);
    national.incomplete = incomplete;
    return { national, priorities, clearance: this.clearanceLine(clearanceSummary(clearanceFigures, Number(today.slice(0, 4)))) };
  }

  private clearanceLine(summary: ClearanceSummary | null): ClearanceLine | null {
    if (!summary) return null;
    const [whole, fraction] = summary.clearedShare.split('.');
    const clearedPct = barPercent(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
    return {
      cleared: formatQuantity(summary.cleared, 'ha'),
      contaminated: formatQuantity(summary.contaminated, 'ha'),
      share: formatShare(summary.clearedShare),
      asOf: summary.asOf,
      source: summary.source,
      workPlan: summary.workPlan ? { year: summary.workPlan.year, hectares: formatQuantity(summary.workPlan.hectares, 'ha') } : null,
      bar: { clearedPct, remainingPct: 100 - clearedPct },
    };
  }

  private async priorityLines(
    list: PriorityView[],
    groups: Awaited<ReturnType<DigestsRepository['pledgesByPriority']>>,
    currency: string,
    today: string,
    rates: RateQuote[],
    markIncomplete: () => void,
  ): Promise<Omit<PriorityLine, 'yours'>[]> {
    const rows: Array<Omit<PriorityLine, 'yours'> & { funding: PriorityFunding }> = [];
    for (const priority of list) {
      let pledged = 0n;
      let received = 0n;
      let count = 0;
      let valued = 0;
      for (const g of groups.filter((x) => x.priorityCode === priority.code)) {
        count += g.pledgeCount;
        if (!g.currency) continue;
        valued += g.pledgeCount;
        const share = g.shareBasisPoints !== null ? new RateDecimal(g.shareBasisPoints).div(10_000) : new RateDecimal(1).div(g.earmarkCount);
        const p = await this.convertSum({ minor: g.pledgedMinor, currency: g.currency }, currency, g.valueDate, rates, share);
        const r = await this.convertSum({ minor: g.disbursedMinor, currency: g.currency }, currency, g.valueDate, rates, share);
        if (p === null || r === null) markIncomplete();
        pledged += p ?? 0n;
        received += r ?? 0n;
      }
      let target: bigint | null = null;
      if (priority.target) {
        const targetMinor = parseAmount(priority.target.amount, priority.target.currency, 'target', { allowZero: true }).minor;
        target = await this.convertSum({ minor: targetMinor, currency: priority.target.currency }, currency, today, rates);
        if (target === null) markIncomplete();
      }
      const funding = priorityFunding(count, pledged, target);
      const fundedPct = target !== null ? barPercent(pledged, target) : null;
      rows.push({
        code: priority.code,
        rank: priority.rank,
        title: priority.title,
        funding,
        status: FUNDING_LABELS[funding],
        isUnfunded: funding === 'unfunded',
        pledged: human(pledged, currency),
        received: human(received, currency),
        inKindOnly: count > 0 && valued === 0,
        target: target === null ? null : human(target, currency),
        gap: target === null ? null : human(target > pledged ? target - pledged : 0n, currency),
        bar: fundedPct === null ? null : { fundedPct, gapPct: 100 - fundedPct },
      });
    }
    return unfundedFirst(rows).map(({ funding: _funding, ...row }) => row);
  }
}
