import type { StatementCitation } from '../statements/statements.service';
import { StatementsService } from '../statements/statements.service';
import { Inject, Injectable } from '@nestjs/common';
import { addDays, todayUtc } from '../common/dates';
import { money, toJson, type MoneyJson } from '../common/money/money';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { DonorEntity } from '../donors/donor.entity';
import { displayCurrencyOf, FundingGapService, type DisplayCurrency, type FundingGapView, type PledgeLineFigures } from '../funding/funding-gap.service';
import { goodsText } from '../common/presentation/goods';
import { ClearanceProgressService } from '../funding/clearance-progress.service';
import { fulfilmentOf } from '../ledger/fulfilment';
import { Ledger } from '../ledger/ledger.service';
import type { PledgeEntity } from '../ledger/pledge.entity';
import { MEANING_PALETTE } from '../common/presentation/charts/svg-charts';
import { formatDateWords, formatQuantity, formatShare } from '../common/presentation/format';
import { barPercent, ClearanceSummary, clearanceSummary, inKindProgress, periodLabel, PriorityFunding, priorityFunding } from './digest-rules';
import { DigestsRepository } from './digests.repository';
import { pledgeStatusLabel } from '../common/presentation/pledge-labels';
import { ObligationsService } from '../obligations/obligations.service';
import { OrganisationsService, type OrganisationView } from '../organisations/organisations.service';
import { PledgeInstalmentsService, type ScheduledInstalment } from '../pledges/instalments.service';

/** The digest's schedule looks this many days ahead (and lists everything overdue before). */
export const DIGEST_SCHEDULE_DAYS = 90;

const INSTALMENT_STATE_WORDS: Record<ScheduledInstalment['state'], string> = {
  received: 'received',
  partly_received: 'partly received',
  due: 'due',
  overdue: 'overdue',
  cancelled: 'not expected',
};

/** An instalment of the donor's own pledges: when, how much, and what is still expected. */
export interface InstalmentLine {
  pledgeTitle: string;
  dueOn: string;
  amount: MoneyJson | null;
  expected: MoneyJson | null;
  goods: string | null;
  state: string;
  overdue: boolean;
}

/** A report or other deliverable ANAMA owes the donor: open (maybe overdue) or submitted. */
export interface ReportLine {
  title: string;
  kindLabel: string;
  dueOn: string;
  submittedOn: string | null;
  overdue: boolean;
}

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
  pledged: MoneyJson | null;
  received: MoneyJson | null;
  /** What is not yet received, and whether it is known to be owed: "outstanding" or "receipt not documented". */
  open: { amount: MoneyJson; label: string } | null;
  inKind: string | null;
  priorities: string | null;
  source: string | null;
  notes: string | null;
  converted: { pledged: MoneyJson; received: MoneyJson | null; open: MoneyJson | null; note: string } | null;
  noRate: string | null;
}

export interface PriorityLine {
  code: string;
  rank: number;
  title: string;
  status: string;
  isUnfunded: boolean;
  pledged: MoneyJson;
  received: MoneyJson;
  /** Every pledge to it is goods without a money value (dogs, teams): no amount to show. */
  inKindOnly: boolean;
  /** Goods in their own units: "20 mine detection dogs delivered; up to 30 more pledged, not yet delivered". */
  goods: string | null;
  target: MoneyJson | null;
  gap: MoneyJson | null;
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
  /** null when no figure is stated as at the digest's date or earlier ("not recorded for this date"). */
  government: MoneyJson | null;
  governmentNote: string | null;
  foreignPledged: MoneyJson;
  foreignReceived: MoneyJson;
  ledgerShare: string;
  reported: { share: string; asOf: string; source: string } | null;
  bar: { governmentPct: number; foreignPct: number } | null;
  ratesNote: string;
  incomplete: boolean;
}

/**
 * Everything the two templates print. Money stays a contract money object: the templates format it
 * with the helpers every screen uses (`{{money}}`, and `{{moneyExact}}` in a title), so an email
 * reads its figures exactly as the pages do.
 */
export interface DigestView {
  /** Who sends it: the donor's organisation (issue 19). */
  organisation: Pick<OrganisationView, 'name' | 'shortName' | 'countryName'>;
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
  yourTotals: { pledged: MoneyJson; received: MoneyJson; outstanding: MoneyJson; receiptNotDocumented: MoneyJson; cancelled: MoneyJson | null } | null;
  /** Which figures the priority list and the overall picture are (SharedFigures.basis): your own figures are always today's. */
  sharedBasis: string;
  national: NationalPicture;
  clearance: ClearanceLine | null;
  priorities: PriorityLine[];
  priorityCount: number;
  unfundedCount: number;
  links: { donorPage: string; unsubscribe: string | null };
  contactLine: string;
  /** The published statement the digest cites (the official figures of its date), with its page; null before the first. */
  statement: (StatementCitation & { asOfText: string; href: string }) | null;
  /** The donor's upcoming and overdue instalments and the reports ANAMA owes it; null when there are none. */
  schedule: { days: number; instalments: InstalmentLine[]; reports: ReportLine[]; overdueCount: number } | null;
}

interface SharedFigures {
  currency: DisplayCurrency;
  /** Which figures the national picture and the priority list are: a published statement's, or the run's own date. */
  basis: string;
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

function moneyOf(minor: bigint, currency: string): MoneyJson {
  return toJson(money(minor, currency));
}

/** Minor units of an amount the engine formatted (exactly the currency's minor digits, so dropping the point is exact). */
function minorOf(money: MoneyJson): bigint {
  return BigInt(money.amount.replace('.', ''));
}

/**
 * A digest (and its preview) lists at most this many of the donor's pledges, half the largest in
 * the display currency and the rest the latest by value date, and says how many more there are.
 * The totals always cover every pledge. Without a bound, a donor with 100,000 pledges made a 65 MB
 * email and 400,000 ran the process out of memory.
 */
export const DIGEST_PLEDGES_LISTED = 20;

interface Candidate<T> {
  id: number;
  valueDate: string;
  valueMinor: bigint | null;
  line: T;
}

/** Keeps the largest and the latest pledges offered, never more than `limit` in all. */
export class ListedPledges<T = PledgeLine> {
  private largest: Candidate<T>[] = [];
  private latest: Candidate<T>[] = [];

  constructor(private readonly limit: number) {}

  offer(c: Candidate<T>): void {
    const half = Math.ceil(this.limit / 2);
    if (c.valueMinor !== null) this.largest = keepTop([...this.largest, c], half, (a, b) => compareBig(b.valueMinor!, a.valueMinor!) || b.id - a.id);
    this.latest = keepTop([...this.latest, c], this.limit, byNewest);
  }

  /** The largest, topped up with the latest that are not among them, newest first. */
  lines(): T[] {
    const chosen = new Map(this.largest.map((c) => [c.id, c]));
    for (const c of this.latest) {
      if (chosen.size >= this.limit) break;
      chosen.set(c.id, c);
    }
    return [...chosen.values()].sort(byNewest).map((c) => c.line);
  }
}

function byNewest(a: { valueDate: string; id: number }, b: { valueDate: string; id: number }): number {
  return b.valueDate.localeCompare(a.valueDate) || b.id - a.id;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keepTop<T>(items: T[], n: number, order: (a: T, b: T) => number): T[] {
  return items.length <= n ? items : items.sort(order).slice(0, n);
}

/** The rates behind the figures, one phrase per pair, stale ones said so. */
function describeRates(view: FundingGapView): string {
  return view.ratesUsed
    .map(
      (r) =>
        `${r.base}/${r.quote}: ${r.count === 1 ? `the rate of ${r.firstDate}` : `${r.count} published rates, ${r.firstDate} to ${r.lastDate}`} (${r.source})` +
        (r.staleDays !== undefined ? `, up to ${r.staleDays.toLocaleString('en-GB')} days older than the value date it converted` : ''),
    )
    .join('; ');
}

/**
 * One run's view of the ledger. The national picture and the priority list are the same for
 * every donor with the same display currency, so they are computed once per currency and run.
 */
export class DigestSnapshot {
  private readonly shared = new Map<string, Promise<SharedFigures>>();
  private citation: Promise<StatementCitation | null> | null = null;
  private sender: Promise<OrganisationView> | null = null;

  /** The organisation every digest of this run comes from. */
  organisation(): Promise<OrganisationView> {
    this.sender ??= this.content.organisation();
    return this.sender;
  }

  /** The statement every digest of this run cites: the one published last when the run began. */
  statement(): Promise<StatementCitation | null> {
    this.citation ??= this.content.latestStatement();
    return this.citation;
  }

  constructor(
    private readonly content: DigestContentService,
    readonly generatedOn: string,
  ) {}

  /**
   * The national picture and the priority list are built on the statement the run cites: the
   * engine's figures at its (asOf, knownOn), which are its published figures, in each donor's
   * currency. Before the first statement, the figures of the run's own date.
   */
  sharedFigures(currency: DisplayCurrency): Promise<SharedFigures> {
    let figures = this.shared.get(currency);
    if (!figures) {
      figures = this.statement().then((statement) => this.content.sharedFigures(currency, this.generatedOn, statement));
      this.shared.set(currency, figures);
    }
    return figures;
  }
}

/**
 * Builds a donor's digest. Every figure in it comes from the funding engine (FundingGapService):
 * the national picture and the priorities from the page's own figures, the donor's totals from the
 * engine filtered to that donor, each listed pledge's line from the engine's per-pledge figures. A
 * donor reads what leadership reads. Only this donor's pledges are listed, never another donor's.
 */
@Injectable()
export class DigestContentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly ledger: Ledger,
    private readonly clearance: ClearanceProgressService,
    private readonly funding: FundingGapService,
    private readonly statements: StatementsService,
    private readonly instalments: PledgeInstalmentsService,
    private readonly obligations: ObligationsService,
    private readonly organisations: OrganisationsService,
  ) {}

  organisation(): Promise<OrganisationView> {
    return this.organisations.ofDeployment();
  }

  /** The statement the deployment's one organisation published last (digests name that organisation until they are scoped per donor's). */
  async latestStatement(): Promise<StatementCitation | null> {
    return this.statements.latestCitation((await this.organisations.ofDeployment()).id);
  }

  snapshot(now: Date = new Date()): DigestSnapshot {
    return new DigestSnapshot(this, todayUtc(now));
  }

  async build(snapshot: DigestSnapshot, donor: DonorEntity, period: string, unsubscribeUrl: string | null): Promise<DigestView> {
    const currency = displayCurrencyOf(donor.displayCurrency);
    const [shared, own, candidates, schedule, statement, organisation] = await Promise.all([
      snapshot.sharedFigures(currency),
      this.funding.get(currency, snapshot.generatedOn, { donorId: donor.id }),
      this.funding.donorPledgeCandidates(donor.id, currency, Math.ceil(DIGEST_PLEDGES_LISTED / 2), DIGEST_PLEDGES_LISTED),
      this.schedule(donor.id, snapshot.generatedOn),
      snapshot.statement(),
      snapshot.organisation(),
    ]);
    const listed = new ListedPledges<number>(DIGEST_PLEDGES_LISTED);
    const offered = new Map([...candidates.largest, ...candidates.latest].map((c) => [c.id, c]));
    for (const c of offered.values()) listed.offer({ ...c, line: c.id });
    const ids = listed.lines();
    const [entities, figures] = await Promise.all([this.ledger.findPledges(ids), this.funding.pledgeLines(ids, currency, snapshot.generatedOn)]);
    const byId = new Map(entities.map((p) => [p.id, p]));
    const lines = ids.flatMap((id) => {
      const p = byId.get(id);
      return p ? [this.pledgeLine(p, currency, figures.get(id) ?? null)] : [];
    });
    const supported = new Set(own.byPriority.filter((row) => !row.unfunded).map((row) => row.code));
    const priorities = shared.priorities.map((row) => ({ ...row, yours: supported.has(row.code) }));
    const donorPage = `${this.config.appUrl}/donors/${donor.id}`;
    const count = candidates.count;
    const f = own.foreign;
    const anyMoney = minorOf(f.itemised) !== 0n || minorOf(f.received) !== 0n || minorOf(f.cancelled) !== 0n;
    return {
      organisation: { name: organisation.name, shortName: organisation.shortName, countryName: organisation.countryName },
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
      yourTotals: anyMoney
        ? {
            pledged: f.itemised,
            received: f.received,
            outstanding: f.outstanding,
            receiptNotDocumented: f.receiptNotDocumented,
            cancelled: minorOf(f.cancelled) === 0n ? null : f.cancelled,
          }
        : null,
      sharedBasis: shared.basis,
      national: shared.national,
      clearance: shared.clearance,
      priorities,
      priorityCount: priorities.length,
      unfundedCount: priorities.filter((p) => p.isUnfunded).length,
      links: { donorPage, unsubscribe: unsubscribeUrl },
      contactLine: this.config.mailReplyTo
        ? `Questions about these figures: reply to this email; replies go to ${this.config.mailReplyTo}.`
        : `Questions about these figures: contact your usual counterpart at ${organisation.shortName}. Replies to this address are not read.`,
      statement: statement ? { ...statement, asOfText: formatDateWords(statement.asOf), href: `${this.config.appUrl}/statements/${statement.id}` } : null,
      schedule,
    };
  }

  /** The donor's own instalments and the reports owed to it, from today to DIGEST_SCHEDULE_DAYS ahead and everything overdue. */
  private async schedule(donorId: number, today: string): Promise<DigestView['schedule']> {
    const to = addDays(today, DIGEST_SCHEDULE_DAYS);
    const [instalments, reports] = await Promise.all([
      this.instalments.inWindow({ today, from: today, to, donorId }),
      this.obligations.forDonorDigest(donorId, today, to, addDays(today, -DIGEST_SCHEDULE_DAYS)),
    ]);
    if (!instalments.length && !reports.length) return null;
    return {
      days: DIGEST_SCHEDULE_DAYS,
      instalments: instalments.map((i) => ({
        pledgeTitle: i.pledgeTitle,
        dueOn: i.dueOn,
        amount: i.amount,
        expected: i.state === 'partly_received' || i.state === 'overdue' ? i.expected : null,
        goods:
          i.quantity === null
            ? null
            : `${formatQuantity(String(i.quantity), i.unit ?? '')}${i.expectedQuantity && i.state !== 'due' ? `, ${formatQuantity(String(i.expectedQuantity), i.unit ?? '')} still expected` : ''}`,
        state: INSTALMENT_STATE_WORDS[i.state],
        overdue: i.overdue,
      })),
      reports,
      overdueCount: instalments.filter((i) => i.overdue).length + reports.filter((r) => r.overdue).length,
    };
  }

  private pledgeLine(p: PledgeEntity, currency: DisplayCurrency, figures: PledgeLineFigures | null): PledgeLine {
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
    const openLabel = figures?.bucket === 'outstanding' ? 'outstanding (owed)' : 'not yet received; receipt not documented';
    const line: PledgeLine = {
      title: p.title,
      status: pledgeStatusLabel(f.status, p.kind),
      isCash,
      pledged: null,
      received: null,
      open: null,
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
    if (p.amountMinor === null || !p.currency) return line;
    const from = p.currency;
    line.pledged = moneyOf(p.amountMinor, from);
    const openOwn = p.cancelledAt || !isCash ? 0n : (f.outstandingMinor ?? 0n);
    if (isCash) {
      line.received = moneyOf(p.disbursedMinor, from);
      if (openOwn > 0n) line.open = { amount: moneyOf(openOwn, from), label: openLabel };
    }
    if (from === currency || !figures) return line;
    if (figures.pledged === null) {
      line.noRate = `No ${from}/${currency} rate on or before ${figures.valueDate}: shown in ${from} only.`;
      return line;
    }
    const open = (figures.outstanding ?? 0n) + (figures.receiptNotDocumented ?? 0n);
    line.converted = {
      pledged: moneyOf(figures.pledged, currency),
      received: isCash && figures.received !== null ? moneyOf(figures.received, currency) : null,
      open: isCash && open > 0n ? moneyOf(open, currency) : null,
      note:
        `pledged at the rate of its value date ${figures.valueDate}, received at each receipt's date` +
        (figures.stale ? ` (rate of ${figures.stale.rateDate}, ${figures.stale.staleDays} days earlier)` : ''),
    };
    return line;
  }

  /**
   * The national picture, the clearance summary and the twelve priorities, all donors together,
   * from the page's own figures: on `statement`'s (asOf, knownOn) when there is one, else on `today`.
   */
  async sharedFigures(currency: DisplayCurrency, today: string, statement: StatementCitation | null = null): Promise<SharedFigures> {
    const asOf = statement?.asOf ?? today;
    const filter = statement ? { knownOn: statement.knownOn } : {};
    const [view, clearanceFigures] = await Promise.all([this.funding.get(currency, asOf, filter), this.clearance.statedBy(asOf, statement?.knownOn)]);
    const basis = statement
      ? `As published in the statement "${statement.title}", as of ${formatDateWords(statement.asOf)}.`
      : `As of ${formatDateWords(today)}; no statement has been published yet.`;
    const government = view.government.total;
    const governmentMinor = government ? minorOf(government) : null;
    const foreignMinor = minorOf(view.foreign.itemised);
    const governmentPct = governmentMinor === null ? 0 : barPercent(governmentMinor, governmentMinor + foreignMinor);
    const national: NationalPicture = {
      currency,
      government,
      governmentNote: view.government.source ? `${view.government.basis ?? 'stated'} as at ${view.government.asAt}; ${view.government.source}` : null,
      foreignPledged: view.foreign.itemised,
      foreignReceived: view.foreign.received,
      ledgerShare: formatShare(view.foreignShare.pledged),
      reported: view.reported.foreignShare
        ? { share: formatShare(view.reported.foreignShare.value), asOf: view.reported.foreignShare.asOf, source: view.reported.foreignShare.source }
        : null,
      bar: governmentMinor !== null && governmentMinor + foreignMinor > 0n ? { governmentPct, foreignPct: 100 - governmentPct } : null,
      ratesNote: describeRates(view),
      incomplete: false,
    };
    const priorities = view.byPriority.map((row) => {
      const pledged = minorOf(row.pledged);
      const target = row.target ? minorOf(row.target) : null;
      const funding: PriorityFunding = priorityFunding(row.unfunded ? 0 : 1, pledged, target);
      const fundedPct = target !== null ? barPercent(pledged, target) : null;
      return {
        code: row.code,
        rank: row.rank,
        title: row.title,
        status: FUNDING_LABELS[funding],
        isUnfunded: row.unfunded,
        pledged: row.pledged,
        received: row.received,
        inKindOnly: pledged === 0n && row.inKind.length > 0,
        goods: row.inKind.map(goodsText).join('; ') || null,
        target: row.target,
        gap: row.gap,
        bar: fundedPct === null ? null : { fundedPct, gapPct: 100 - fundedPct },
      };
    });
    return { currency, basis, national, priorities, clearance: this.clearanceLine(clearanceSummary(clearanceFigures, Number(asOf.slice(0, 4)))) };
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
}
