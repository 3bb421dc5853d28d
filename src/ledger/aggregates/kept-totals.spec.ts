import { MissingRateError } from '../../common/errors/domain-errors';
import type { BalanceRates } from '../ledger-figures.repository';
import { KeptTotals } from './kept-totals';
import type { Measures } from './contributions';

const m = (rows: bigint, amount: bigint): Measures => [rows, amount, 0n, 0n, 0n, 0n, 0n];
const key = (donor: number, bucket: string, currency: string, date: string) => `balance|${donor}|cash|${bucket}|${currency}|${date}`;

/** Rates that differ by currency and date, so a group converted at the wrong one shows. */
function rates(name: string, asOf: string, missing: string | null = null): BalanceRates & { asked: number } {
  const out = {
    key: name,
    asOf,
    currencies: new Set(['EUR', 'USD']),
    asked: 0,
    rateOf: (currency: string, date: string) => {
      out.asked++;
      if (`${currency}@${date}` === missing) throw new MissingRateError(currency, 'USD', date);
      return (currency === 'EUR' ? 1_100n : 1_000n) + BigInt(Number(date.slice(8, 10)));
    },
  };
  return out;
}

const line = (totals: KeptTotals, r: BalanceRates, delta = new Map<string, Measures>()) =>
  Object.fromEntries((totals.converted(r, delta) ?? []).map((l) => [`${l.donorId}|${l.bucket}`, l.fixed]));

describe('KeptTotals', () => {
  it('sums balances converted per donor, kind and status, and moves the sums by each group written since', () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-02'), m(2n, 500n));
    totals.set(key(1, 'outstanding', 'USD', '2024-01-03'), m(1n, 70n));
    totals.set(key(2, 'not_due', 'EUR', '2024-01-04'), m(1n, 9n));
    totals.set('pledged|1|cash', m(3n, 0n));
    const r = rates('USD|a', '2024-12-31');
    expect(line(totals, r)).toEqual({ '1|outstanding': 500n * 1_102n + 70n * 1_003n, '2|not_due': 9n * 1_104n });
    const askedOnce = r.asked;

    // A receipt lowers one group, a new pledge adds another: the kept sums move by those alone.
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-02'), m(2n, 300n));
    totals.set(key(2, 'not_due', 'USD', '2024-01-05'), m(1n, 40n));
    expect(r.asked - askedOnce).toBe(2);
    expect(line(totals, r)).toEqual({ '1|outstanding': 300n * 1_102n + 70n * 1_003n, '2|not_due': 9n * 1_104n + 40n * 1_005n });
    expect(r.asked - askedOnce).toBe(2);
    expect(totals.conversionDifferences()).toEqual([]);
    expect(totals.others.get('pledged|1|cash')).toEqual({ figure: 'pledged', parts: ['1', 'cash'], measures: m(3n, 0n) });
  });

  it("adds the day's delta without keeping it, and leaves out lines no group counts on the day", () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-02'), m(1n, 500n));
    totals.set(key(2, 'outstanding', 'EUR', '2024-01-02'), m(1n, 800n));
    const r = rates('USD|b', '2024-12-31');
    // On the day asked, donor 2's pledge is not counted yet (its changes are dated later) and donor 1's receipt of 200 has not come.
    const delta = new Map([
      [key(2, 'outstanding', 'EUR', '2024-01-02'), m(-1n, -800n)],
      [key(1, 'outstanding', 'EUR', '2024-01-02'), m(0n, 200n)],
    ]);
    expect(line(totals, r, delta)).toEqual({ '1|outstanding': 700n * 1_102n });
    expect(line(totals, r)).toEqual({ '1|outstanding': 500n * 1_102n, '2|outstanding': 800n * 1_102n });
    expect(totals.balanceRows(delta)).toEqual([
      { donorId: 1, kind: 'cash', bucket: 'outstanding', currency: 'EUR', valueDate: '2024-01-02', amountMinor: 700n },
    ]);
  });

  it('leaves out groups valued after the day, whose rates the day does not have', () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-02'), m(1n, 500n));
    totals.set(key(1, 'not_due', 'EUR', '2025-03-01'), m(1n, 900n));
    const r = rates('USD|c', '2024-12-31', 'EUR@2025-03-01');
    expect(line(totals, r, new Map([[key(1, 'not_due', 'EUR', '2025-03-01'), m(-1n, -900n)]]))).toEqual({ '1|outstanding': 500n * 1_102n });
  });

  it('lets a conversion go when a group written since has no rate, and converts afresh at the next read, where the missing rate is said', () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-02'), m(1n, 500n));
    const r = rates('USD|d', '2024-12-31', 'EUR@2024-01-09');
    line(totals, r);
    totals.set(key(1, 'outstanding', 'EUR', '2024-01-09'), m(1n, 5n));
    expect(totals.conversionDifferences()).toEqual([]);
    expect(() => totals.converted(r, new Map())).toThrow(MissingRateError);
  });

  it('keeps the list of value dates counted between reads, and makes it again when one starts or stops counting', () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set('value_date|EUR|2024-01-02', m(2n, 0n));
    totals.set('value_date|USD|2024-01-03', m(1n, 0n));
    const first = totals.valueDates(new Map());
    expect(first).toEqual([
      { currency: 'EUR', valueDate: '2024-01-02' },
      { currency: 'USD', valueDate: '2024-01-03' },
    ]);
    totals.set('value_date|EUR|2024-01-02', m(3n, 0n));
    expect(totals.valueDates(new Map())).toBe(first);
    totals.set('value_date|USD|2024-01-03', m(0n, 0n));
    expect(totals.valueDates(new Map())).toEqual([{ currency: 'EUR', valueDate: '2024-01-02' }]);
    // A day before the EUR rows and a pledge dated later: the delta decides, the kept list is left as it is.
    const delta = new Map([
      ['value_date|EUR|2024-01-02', m(-3n, 0n)],
      ['value_date|GBP|2025-01-01', m(1n, 0n)],
    ]);
    expect(totals.valueDates(delta)).toEqual([{ currency: 'GBP', valueDate: '2025-01-01' }]);
    expect(totals.valueDates(new Map())).toEqual([{ currency: 'EUR', valueDate: '2024-01-02' }]);
  });

  it('says which rates cover too few currencies', () => {
    const totals = new KeptTotals(0n, 1n);
    totals.set(key(1, 'outstanding', 'GBP', '2024-01-02'), m(1n, 500n));
    expect(totals.converted(rates('USD|e', '2024-12-31'), new Map())).toBeNull();
    expect(totals.balanceCurrencies()).toEqual(['GBP']);
  });
});
