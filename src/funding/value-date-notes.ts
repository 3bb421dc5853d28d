import { daysBetween } from '../common/dates';
import { MissingRateError } from '../common/errors/domain-errors';
import type { RateQuote } from '../common/money/conversion';
import type { RateTable } from '../fx/rate-table';
import type { ValueDate } from '../ledger/ledger-figures.repository';
import { uniqueRates } from './funding-gap.calc';

/** The rates behind a list of (currency, value date) pairs in one display currency: every one used (unique, in order) and, per pair of currencies, the stalest use. */
export interface ValueDateNotes {
  /** The list noted (the kept totals hand out one list while no value date starts or stops counting). */
  list: readonly ValueDate[];
  currencies: string[];
  dates: string[];
  used: RateQuote[];
  usedSet: ReadonlySet<RateQuote>;
  stalest: Map<string, { days: number; valueDate: string; rateDate: string }>;
}

/** The last list noted per rate table and display currency (a table is kept while its rates are the latest: FundingGapService.rateTable). */
const VALUE_DATE_NOTES = new WeakMap<RateTable, Map<string, ValueDateNotes>>();

/** The notes of `valueDates` in `currency` from `table`: the last ones when the list is the same, in the same order. */
export function notesOf(table: RateTable, currency: string, valueDates: readonly ValueDate[]): ValueDateNotes {
  let byCurrency = VALUE_DATE_NOTES.get(table);
  if (byCurrency === undefined) VALUE_DATE_NOTES.set(table, (byCurrency = new Map<string, ValueDateNotes>()));
  const last = byCurrency.get(currency);
  if (last?.list === valueDates) return last;
  if (
    last !== undefined &&
    last.currencies.length === valueDates.length &&
    valueDates.every((v, i) => last.currencies[i] === v.currency && last.dates[i] === v.valueDate)
  )
    return last;
  const unique = new Set<RateQuote>();
  const stalest = new Map<string, { days: number; valueDate: string; rateDate: string }>();
  for (const { currency: from, valueDate } of valueDates) {
    const legs = table.ratesUsed(from, currency, valueDate);
    if (!legs) throw new MissingRateError(from, currency, valueDate);
    for (const leg of legs) {
      unique.add(leg);
      const pair = `${leg.base}/${leg.quote}`;
      const days = daysBetween(leg.date, valueDate);
      if (days > (stalest.get(pair)?.days ?? -1)) stalest.set(pair, { days, valueDate, rateDate: leg.date });
    }
  }
  const used = uniqueRates(unique);
  const notes = {
    list: valueDates,
    currencies: valueDates.map((v) => v.currency),
    dates: valueDates.map((v) => v.valueDate),
    used,
    usedSet: new Set(used),
    stalest,
  };
  byCurrency.set(currency, notes);
  return notes;
}
