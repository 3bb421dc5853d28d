import type { RateQuote } from '../common/money/conversion';
import type { MoneyJson } from '../common/money/money';
import { governmentVsForeignChart, prioritiesChart, type ChartLayout } from '../common/presentation/charts/svg-charts';
import { APP_TIME_ZONE_LABEL, signOfDecimal } from '../common/presentation/format';
import { goodsText } from '../common/presentation/goods';
import { toCsv } from '../common/csv';
import { DISPLAY_CURRENCIES, type FundingGapView, type GoodsView, type PriorityGapRow } from '../funding/funding-gap.service';

/**
 * Turns the funding-gap figures (FundingGapService, the same ones the API returns) into what the
 * page and its CSV downloads show. It arranges and labels; it computes no figure.
 */

export const CSV_TABLES = ['by-priority', 'by-donor', 'reconciliation', 'rates'] as const;

export type CsvTable = (typeof CSV_TABLES)[number];

function queryString(view: FundingGapView): string {
  const donor = view.filter.donorId === null ? '' : `&donorId=${view.filter.donorId}`;
  const knownOn = view.knownOn === null ? '' : `&knownOn=${encodeURIComponent(view.knownOn)}`;
  return `currency=${encodeURIComponent(view.currency)}&asOf=${encodeURIComponent(view.asOf)}${donor}${knownOn}`;
}

function isShort(row: PriorityGapRow): boolean {
  return signOfDecimal(row.pledged.amount) === 0 || (row.gap !== null && signOfDecimal(row.gap.amount) > 0);
}

/** A chart drawn for screens and paper and again for a phone; the stylesheet shows one of them. */
function bothLayouts<T>(draw: (input: T, layout: ChartLayout) => string, input: T): { wide: string; narrow: string } {
  return { wide: draw(input, 'wide'), narrow: draw(input, 'narrow') };
}

export type FundingPageModel = ReturnType<typeof fundingPageModel>;

export function fundingPageModel(view: FundingGapView, today: string, donors: ReadonlyArray<{ id: number; name: string }> = []) {
  // The report's order, always: priority 1 is the most critical need, funded or not.
  const priorities = view.byPriority;
  const query = queryString(view);
  const government = view.government.total;
  return {
    title: 'Funding gap',
    timeZone: APP_TIME_ZONE_LABEL,
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
    donorChoices: donors.map((d) => ({ id: d.id, name: d.name, selected: d.id === view.filter.donorId })),
    donorName: view.filter.donorId === null ? null : (donors.find((d) => d.id === view.filter.donorId)?.name ?? `Donor ${view.filter.donorId}`),
    rates: view.ratesUsed,
    charts: {
      // Without a government figure for the date there is nothing to set foreign money against.
      governmentVsForeign: !government
        ? null
        : bothLayouts(governmentVsForeignChart, {
            currency: view.currency,
            government: government.amount,
            foreignPledged: view.foreign.itemised.amount,
            foreignDisbursed: view.foreign.received.amount,
            reportedForeignTotal: view.foreign.reportedTotal?.amount ?? null,
            itemised: view.foreign.itemised.amount,
            notItemised: view.foreign.notItemised?.amount ?? null,
          }),
      priorities: bothLayouts(prioritiesChart, {
        currency: view.currency,
        rows: priorities.map((p) => ({
          code: p.code,
          title: p.title,
          pledged: p.pledged.amount,
          disbursed: p.disbursed.amount,
          target: p.target?.amount ?? null,
          gap: p.gap?.amount ?? null,
          inKind: p.inKind.map(goodsText).join('; ') || null,
        })),
      }),
    },
    priorities: priorities.map((p) => ({ ...p, short: isShort(p), goods: p.inKind.map(goodsText) })),
    donors: view.byDonor.map((d) => ({ ...d, goods: d.inKind.map(goodsText) })),
    anyCancelled: signOfDecimal(view.foreign.cancelled.amount) !== 0,
    hasReported: view.foreign.reportedTotal !== null,
    notItemisedIsNegative: view.foreign.notItemised !== null && signOfDecimal(view.foreign.notItemised.amount) < 0,
  };
}

/** One table of the page as CSV: exact figures, plain decimal strings, the currency in its own column. */
export function fundingCsv(view: FundingGapView, table: CsvTable, rates: readonly RateQuote[]): { filename: string; body: string } {
  const filename = `funding-gap-${table}-${view.currency}-${view.asOf}.csv`;
  const amount = (m: MoneyJson | null) => (m === null ? null : m.amount);
  if (table === 'by-priority') {
    const rows = view.byPriority.map((p) => [
      String(p.rank),
      p.code,
      p.title,
      amount(p.pledged),
      amount(p.received),
      amount(p.target),
      amount(p.gap),
      p.percentFunded,
      p.unfunded ? 'yes' : 'no',
      view.currency,
      inKindText(p.inKind),
    ]);
    rows.push([
      '',
      '',
      'Not earmarked to a priority',
      amount(view.notEarmarked.pledged),
      amount(view.notEarmarked.received),
      null,
      null,
      null,
      null,
      view.currency,
      null,
    ]);
    return {
      filename,
      body: toCsv(['rank', 'code', 'priority', 'pledged', 'received', 'target', 'gap', 'percent_funded', 'unfunded', 'currency', 'in_kind'], rows),
    };
  }
  if (table === 'by-donor') {
    const rows = view.byDonor.map((d) => [
      d.donorId,
      d.name,
      amount(d.pledged),
      amount(d.received),
      amount(d.outstanding),
      amount(d.receiptNotDocumented),
      amount(d.cancelled),
      view.currency,
      inKindText(d.inKind),
    ]);
    return {
      filename,
      body: toCsv(['donor_id', 'donor', 'pledged', 'received', 'outstanding', 'receipt_not_documented', 'cancelled', 'currency', 'in_kind'], rows),
    };
  }
  if (table === 'rates') {
    const rows = rates.map((r) => [r.base, r.quote, r.rate, r.date, r.source]);
    return { filename, body: toCsv(['base', 'quote', 'rate', 'date', 'source'], rows) };
  }
  const f = view.foreign;
  const rows: Array<Array<string | null>> = [
    [
      'Government spend',
      amount(view.government.total),
      view.currency,
      view.government.source ? `${view.government.source}; as at ${view.government.asAt}` : 'not recorded for this date',
    ],
    ['Foreign, reported total', amount(f.reportedTotal), view.currency, view.reported.foreignTotal?.source ?? null],
    ['Foreign, reported pledged (another document)', amount(f.reportedPledged), view.currency, view.reported.foreignPledged?.source ?? null],
    ['Foreign, itemised in the ledger', amount(f.itemised), view.currency, 'ledger: cash pledged plus valued in-kind'],
    ['Foreign, reported but not yet itemised', amount(f.notItemised), view.currency, 'reported total minus itemised'],
    ['Foreign, cash pledged', amount(f.pledged), view.currency, 'ledger'],
    ['Foreign, in-kind value', amount(f.inKindValue), view.currency, 'ledger'],
    ['Foreign, received', amount(f.received), view.currency, 'ledger: cash received plus valued in-kind delivered'],
    ['Foreign, outstanding', amount(f.outstanding), view.currency, 'ledger: not received, known to be owed'],
    ['Foreign, receipt not documented', amount(f.receiptNotDocumented), view.currency, 'ledger: not received, and not recorded whether it is owed'],
    ['Foreign, cancelled', amount(f.cancelled), view.currency, 'ledger: cancelled pledges, counted nowhere else'],
    ['Foreign share, reported', view.foreignShare.reported, null, view.reported.foreignShare?.source ?? null],
    ['Foreign share, reported basis computed', view.foreignShare.reportedComputed, null, 'reported total / (government + reported total)'],
    ['Foreign share, pledged basis', view.foreignShare.pledged, null, 'itemised / (government + itemised)'],
    ['Foreign share, received basis', view.foreignShare.disbursed, null, 'received / (government + received)'],
  ];
  return { filename, body: toCsv(['figure', 'value', 'currency', 'source'], rows) };
}

function inKindText(goods: readonly GoodsView[]): string | null {
  return goods.map(goodsText).join('; ') || null;
}
