import type { RateQuote } from '../common/money/conversion';
import type { MoneyJson } from '../common/money/money';
import { governmentVsForeignChart, prioritiesChart } from '../common/presentation/charts/svg-charts';
import { formatQuantity, signOfDecimal } from '../common/presentation/format';
import { toCsv } from '../funding/csv';
import { DISPLAY_CURRENCIES, type FundingGapView, type PriorityGapRow } from '../funding/funding-gap.service';

/**
 * Turns the funding-gap figures (FundingGapService, the same ones the API returns) into what the
 * page and its CSV downloads show. It arranges and labels; it computes no figure.
 */

export const CSV_TABLES = ['by-priority', 'by-donor', 'reconciliation', 'rates'] as const;

/** Up to this many rates of one pair are listed one by one on the page; more are summarised (all are in the API and rates.csv). */
const RATES_LISTED_PER_PAIR = 10;

/** The rates used, per pair and source: listed when few, otherwise first, last and how many. */
function rateSummary(rates: readonly RateQuote[]) {
  const groups = new Map<string, RateQuote[]>();
  for (const rate of rates) {
    const key = `${rate.base}/${rate.quote}/${rate.source}`;
    const list = groups.get(key);
    if (list) list.push(rate);
    else groups.set(key, [rate]);
  }
  return [...groups.values()].map((list) => ({
    base: list[0].base,
    quote: list[0].quote,
    source: list[0].source,
    count: list.length,
    listed: list.length <= RATES_LISTED_PER_PAIR ? list : null,
    first: list[0],
    last: list[list.length - 1],
  }));
}
export type CsvTable = (typeof CSV_TABLES)[number];

function queryString(view: FundingGapView): string {
  return `currency=${encodeURIComponent(view.currency)}&asOf=${encodeURIComponent(view.asOf)}`;
}

/** Unfunded first (nothing pledged), then the largest gaps, then the report's order. */
function unfundedFirst(rows: readonly PriorityGapRow[]): PriorityGapRow[] {
  const pledgedNothing = (r: PriorityGapRow) => signOfDecimal(r.pledged.amount) === 0;
  return [...rows].sort((a, b) => Number(pledgedNothing(b)) - Number(pledgedNothing(a)) || a.rank - b.rank);
}

function isShort(row: PriorityGapRow): boolean {
  return signOfDecimal(row.pledged.amount) === 0 || (row.gap !== null && signOfDecimal(row.gap.amount) > 0);
}

export type FundingPageModel = ReturnType<typeof fundingPageModel>;

export function fundingPageModel(view: FundingGapView, today: string) {
  const priorities = unfundedFirst(view.byPriority);
  const query = queryString(view);
  return {
    title: 'Funding gap',
    gap: view,
    today,
    generatedAt: view.generatedAt,
    currencies: DISPLAY_CURRENCIES.map((code) => ({ code, selected: code === view.currency })),
    csv: {
      byPriority: `/funding-gap/by-priority.csv?${query}`,
      byDonor: `/funding-gap/by-donor.csv?${query}`,
      reconciliation: `/funding-gap/reconciliation.csv?${query}`,
      rates: `/funding-gap/rates.csv?${query}`,
    },
    rates: rateSummary(view.ratesUsed),
    charts: {
      governmentVsForeign: governmentVsForeignChart({
        currency: view.currency,
        government: view.government.total.amount,
        foreignPledged: view.foreign.itemised.amount,
        foreignDisbursed: view.foreign.received.amount,
        reportedForeignTotal: view.foreign.reportedTotal?.amount ?? null,
        itemised: view.foreign.itemised.amount,
        notItemised: view.foreign.notItemised?.amount ?? null,
      }),
      priorities: prioritiesChart({
        currency: view.currency,
        rows: priorities.map((p) => ({
          code: p.code,
          title: p.title,
          pledged: p.pledged.amount,
          disbursed: p.disbursed.amount,
          target: p.target?.amount ?? null,
          gap: p.gap?.amount ?? null,
          // The chart has room for what was pledged; deliveries are in the table beside it.
          inKind: p.inKind.map((q) => `${q.upTo ? 'up to ' : ''}${q.pledged} ${q.unit}`).join('; ') || null,
        })),
      }),
    },
    priorities: priorities.map((p) => ({ ...p, short: isShort(p) })),
    donors: view.byDonor.map((d) => ({
      ...d,
      inKind: d.inKind.map((q) => ({
        unit: q.unit,
        pledged: formatQuantity(String(q.pledged)),
        delivered: formatQuantity(String(q.delivered)),
        upTo: q.upTo,
      })),
    })),
    hasReported: view.foreign.reportedTotal !== null,
    notItemisedIsNegative: view.foreign.notItemised !== null && signOfDecimal(view.foreign.notItemised.amount) < 0,
  };
}

/** One table of the page as CSV: exact figures, plain decimal strings, the currency in its own column. */
export function fundingCsv(view: FundingGapView, table: CsvTable): { filename: string; body: string } {
  const filename = `funding-gap-${table}-${view.currency}-${view.asOf}.csv`;
  const amount = (m: MoneyJson | null) => (m === null ? null : m.amount);
  if (table === 'by-priority') {
    const rows = view.byPriority.map((p) => [
      p.code,
      p.title,
      amount(p.pledged),
      amount(p.disbursed),
      amount(p.target),
      amount(p.gap),
      view.currency,
      inKindText(p.inKind),
    ]);
    rows.push(['', 'Not earmarked to a priority', amount(view.notEarmarked.pledged), amount(view.notEarmarked.disbursed), null, null, view.currency, null]);
    return { filename, body: toCsv(['code', 'priority', 'pledged', 'received', 'target', 'gap', 'currency', 'in_kind'], rows) };
  }
  if (table === 'by-donor') {
    const rows = view.byDonor.map((d) => [
      d.donorId,
      d.name,
      amount(d.pledged),
      amount(d.disbursed),
      amount(d.outstanding),
      view.currency,
      inKindText(d.inKind),
    ]);
    return { filename, body: toCsv(['donor_id', 'donor', 'pledged', 'received', 'outstanding', 'currency', 'in_kind'], rows) };
  }
  if (table === 'rates') {
    const rows = view.ratesUsed.map((r) => [r.base, r.quote, r.rate, r.date, r.source]);
    return { filename, body: toCsv(['base', 'quote', 'rate', 'date', 'source'], rows) };
  }
  const f = view.foreign;
  const rows: Array<Array<string | null>> = [
    ['Government spend', amount(view.government.total), view.currency, view.government.sources.join('; ') || null],
    ['Foreign, reported total', amount(f.reportedTotal), view.currency, view.reported.foreignTotal?.source ?? null],
    ['Foreign, itemised in the ledger', amount(f.itemised), view.currency, 'ledger: cash pledged plus valued in-kind'],
    ['Foreign, reported but not yet itemised', amount(f.notItemised), view.currency, 'reported total minus itemised'],
    ['Foreign, cash pledged', amount(f.pledged), view.currency, 'ledger'],
    ['Foreign, in-kind value', amount(f.inKindValue), view.currency, 'ledger'],
    ['Foreign, received', amount(f.received), view.currency, 'ledger: cash received plus valued in-kind delivered'],
    ['Foreign share, reported', view.foreignShare.reported, null, view.reported.foreignShare?.source ?? null],
    ['Foreign share, reported basis computed', view.foreignShare.reportedComputed, null, 'reported total / (government + reported total)'],
    ['Foreign share, pledged basis', view.foreignShare.pledged, null, 'itemised / (government + itemised)'],
    ['Foreign share, received basis', view.foreignShare.disbursed, null, 'received / (government + received)'],
  ];
  return { filename, body: toCsv(['figure', 'value', 'currency', 'source'], rows) };
}

/** Goods in their own units, as a sentence: "up to 30 mine detection dogs (12 delivered)". */
function inKindText(goods: ReadonlyArray<{ unit: string; pledged: number; delivered: number; upTo: boolean }>): string | null {
  return goods.map((q) => `${q.upTo ? 'up to ' : ''}${q.pledged} ${q.unit} (${q.delivered} delivered)`).join('; ') || null;
}
