import type Decimal from 'decimal.js';
import { effectiveRate, staleness, type RateQuote, type StaleRate } from '../common/money/conversion';
import { chooseLegs } from './rate-path';

/** The pivots belong to the rule in rate-path.ts; callers that build a RateTable also take them from here. */
export { PIVOTS } from './rate-path';

export interface ChainedRate {
  rate: Decimal;
  ratesUsed: RateQuote[];
  /** Set when the oldest rate used is more than STALE_RATE_DAYS before the date asked for. */
  stale: StaleRate | null;
}

/**
 * FxService's conversion rule (`chooseLegs`) over rates loaded once, for conversions by the
 * thousand. FxService reads each (pair, date) with a query, which is right for one pledge and far
 * too slow for a ledger summed per currency and value date (about 35,000 pairs of currency and
 * date on the benchmark's data). Both hand their quotes to the same function; the medium tests
 * check that they give the same rates.
 */
export class RateTable {
  private readonly series = new Map<string, RateQuote[]>();

  /** `rates` sorted by date ascending within each pair. */
  constructor(rates: readonly RateQuote[]) {
    for (const rate of rates) {
      const key = `${rate.base}/${rate.quote}`;
      const list = this.series.get(key) ?? [];
      list.push(rate);
      this.series.set(key, list);
    }
  }

  /** The latest rate of `base/quote` on or before `date`. */
  private quote(base: string, quote: string, date: string): RateQuote | null {
    const list = this.series.get(`${base}/${quote}`);
    if (!list || list.length === 0 || list[0].date > date) return null;
    let low = 0;
    let high = list.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (list[mid].date <= date) low = mid;
      else high = mid - 1;
    }
    return list[low];
  }

  /** The exact rate from `from` to `to` on `date` and the published rates behind it; null when there is none. */
  rate(from: string, to: string, date: string): ChainedRate | null {
    const legs = chooseLegs(from, to, (base, quote) => this.quote(base, quote, date));
    if (!legs) return null;
    const ratesUsed = legs.map((l) => l.quote);
    return { rate: effectiveRate(legs), ratesUsed, stale: staleness(date, ratesUsed) };
  }

  /** The published rates a conversion on `date` would use, without multiplying them out; null when there is none. */
  ratesUsed(from: string, to: string, date: string): RateQuote[] | null {
    return chooseLegs(from, to, (base, quote) => this.quote(base, quote, date))?.map((l) => l.quote) ?? null;
  }
}
