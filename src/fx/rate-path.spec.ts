import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addDays } from '../common/dates';
import { effectiveRate, formatRate, staleness, type RateQuote } from '../common/money/conversion';
import { candidatePairs, chooseLegs, conversionPaths, type QuoteOf } from './rate-path';
import { RateTable } from './rate-table';

const CURRENCIES = ['EUR', 'USD', 'AZN', 'GBP', 'JPY'];
const FIRST_DAY = '2024-01-01';

const rate = (base: string, quote: string, date: string, value: string): RateQuote => ({ base, quote, date, rate: value, source: 'test' });

/** What FxRepository.latestOnOrBefore answers, by a plain scan: the latest quote of the pair on or before `date`. */
function scanQuotes(rates: readonly RateQuote[], date: string): QuoteOf {
  return (base, quote) => {
    let latest: RateQuote | null = null;
    for (const r of rates) if (r.base === base && r.quote === quote && r.date <= date && (!latest || r.date > latest.date)) latest = r;
    return latest;
  };
}

/** Random published rates over a month: one per (pair, date) as the database's unique key allows, sorted by date as RateTable takes them. */
const rateSets = fc
  .array(
    fc.record({
      base: fc.constantFrom(...CURRENCIES),
      quote: fc.constantFrom(...CURRENCIES),
      day: fc.integer({ min: 0, max: 30 }),
      value: fc.integer({ min: 1, max: 5_000_000 }),
    }),
    { maxLength: 40 },
  )
  .map((drawn) => {
    const unique = new Map<string, RateQuote>();
    for (const d of drawn) {
      if (d.base === d.quote) continue;
      const r = rate(d.base, d.quote, addDays(FIRST_DAY, d.day), (d.value / 10_000).toFixed(4));
      unique.set(`${r.base}/${r.quote}@${r.date}`, r);
    }
    return [...unique.values()].sort((a, b) => a.date.localeCompare(b.date));
  });

const conversions = fc.record({
  from: fc.constantFrom(...CURRENCIES),
  to: fc.constantFrom(...CURRENCIES),
  date: fc.integer({ min: -2, max: 45 }).map((day) => addDays(FIRST_DAY, day)),
});

describe('chooseLegs', () => {
  const quotes = (...rates: RateQuote[]) => scanQuotes(rates, '2024-12-31');

  it('takes the direct pair before any pivot, even when it is older', () => {
    const legs = chooseLegs(
      'GBP',
      'USD',
      quotes(rate('GBP', 'USD', '2024-01-02', '1.27'), rate('EUR', 'GBP', '2024-06-03', '0.85'), rate('EUR', 'USD', '2024-06-03', '1.08')),
    );
    expect(legs).toEqual([{ quote: rate('GBP', 'USD', '2024-01-02', '1.27'), inverted: false }]);
  });

  it('goes through EUR before USD, and through both when one pivot is not enough', () => {
    const both = [rate('EUR', 'GBP', '2024-06-03', '0.85'), rate('EUR', 'USD', '2024-06-03', '1.08'), rate('USD', 'AZN', '2018-01-01', '1.7')];
    expect(chooseLegs('GBP', 'AZN', quotes(...both))?.map((l) => `${l.quote.base}/${l.quote.quote}${l.inverted ? ' inverted' : ''}`)).toEqual([
      'EUR/GBP inverted',
      'EUR/USD',
      'USD/AZN',
    ]);
    const viaEur = [...both, rate('EUR', 'AZN', '2024-06-03', '1.84')];
    expect(chooseLegs('GBP', 'AZN', quotes(...viaEur))?.map((l) => l.quote.quote)).toEqual(['GBP', 'AZN']);
  });

  it('uses the forward pair on a tie and the inverse only when it was published later', () => {
    const forward = rate('EUR', 'USD', '2024-06-03', '1.08');
    expect(chooseLegs('EUR', 'USD', quotes(forward, rate('USD', 'EUR', '2024-06-03', '0.92')))).toEqual([{ quote: forward, inverted: false }]);
    const later = rate('USD', 'EUR', '2024-06-04', '0.92');
    expect(chooseLegs('EUR', 'USD', quotes(forward, later))).toEqual([{ quote: later, inverted: true }]);
  });

  it('needs no rate for the same currency and finds none without quotes', () => {
    expect(chooseLegs('AZN', 'AZN', () => null)).toEqual([]);
    expect(chooseLegs('AZN', 'USD', () => null)).toBeNull();
  });
});

describe('one conversion rule for FxService and RateTable (random rate sets)', () => {
  it('RateTable converts as chooseLegs over the latest quote on or before the date', () => {
    fc.assert(
      fc.property(rateSets, fc.array(conversions, { minLength: 1, maxLength: 10 }), (rates, asked) => {
        const table = new RateTable(rates);
        for (const { from, to, date } of asked) {
          const legs = chooseLegs(from, to, scanQuotes(rates, date));
          const chained = table.rate(from, to, date);
          if (legs === null) {
            expect(chained).toBeNull();
            expect(table.ratesUsed(from, to, date)).toBeNull();
            continue;
          }
          const ratesUsed = legs.map((l) => l.quote);
          expect(chained && { rate: formatRate(chained.rate), ratesUsed: chained.ratesUsed, stale: chained.stale }).toEqual({
            rate: formatRate(effectiveRate(legs)),
            ratesUsed,
            stale: staleness(date, ratesUsed),
          });
          expect(table.ratesUsed(from, to, date)).toEqual(ratesUsed);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('FxService reads only candidatePairs of stored pairs: the same legs as reading every pair', () => {
    fc.assert(
      fc.property(rateSets, conversions, (rates, { from, to, date }) => {
        const all = scanQuotes(rates, date);
        const stored = new Set(rates.map((r) => `${r.base}/${r.quote}`));
        const read = new Map<string, RateQuote | null>();
        for (const { base, quote } of candidatePairs(from, to)) if (stored.has(`${base}/${quote}`)) read.set(`${base}/${quote}`, all(base, quote));
        expect(chooseLegs(from, to, (base, quote) => read.get(`${base}/${quote}`) ?? null)).toEqual(chooseLegs(from, to, all));
      }),
      { numRuns: 300 },
    );
  });

  it('chains from the source to the target with rates published on or before the date', () => {
    fc.assert(
      fc.property(rateSets, conversions, (rates, { from, to, date }) => {
        const legs = chooseLegs(from, to, scanQuotes(rates, date));
        if (!legs) return;
        let at = from;
        for (const leg of legs) {
          expect(leg.quote.date <= date).toBe(true);
          expect(leg.inverted ? leg.quote.quote : leg.quote.base).toBe(at);
          at = leg.inverted ? leg.quote.base : leg.quote.quote;
        }
        expect(at).toBe(to);
        expect(legs.length === 0 ? from === to : conversionPaths(from, to).some((p) => p.length === legs.length + 1)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
