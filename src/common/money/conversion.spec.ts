import { describe, expect, it } from '@jest/globals';
import { convertMinor, effectiveRate, formatRate, isValidRate, RateQuote, shareOf, STALE_RATE_DAYS, staleness, staleSince } from './conversion';

const q = (base: string, quote: string, rate: string, date = '2024-10-11'): RateQuote => ({ base, quote, rate, date, source: 'test' });

describe('convertMinor', () => {
  it('converts the government total at the peg: 789,000,000.00 AZN = 464,117,647.06 USD', () => {
    const rate = effectiveRate([{ quote: q('USD', 'AZN', '1.7000'), inverted: true }]);
    expect(convertMinor({ minor: 78900000000n, currency: 'AZN' }, 'USD', rate)).toEqual({ minor: 46411764706n, currency: 'USD' });
  });

  it('converts the EU pledge at the ECB rate of 2024-10-11: 4,250,000.00 EUR = 4,648,650.00 USD', () => {
    expect(convertMinor({ minor: 425000000n, currency: 'EUR' }, 'USD', '1.0938')).toEqual({ minor: 464865000n, currency: 'USD' });
  });

  it('rounds half to even, once, at the target minor unit', () => {
    // 0.125 USD → 0.12 (even), 0.135 → 0.14 (even), at a rate of 1
    expect(convertMinor({ minor: 125n, currency: 'JPY' }, 'USD', '0.001').minor).toBe(12n);
    expect(convertMinor({ minor: 135n, currency: 'JPY' }, 'USD', '0.001').minor).toBe(14n);
    expect(convertMinor({ minor: 1n, currency: 'USD' }, 'JPY', '150').minor).toBe(2n); // 1.50 JPY → 2
    expect(convertMinor({ minor: 1n, currency: 'USD' }, 'JPY', '250').minor).toBe(2n); // 2.50 JPY → 2
  });

  it('multiplies cross-rate legs exactly before rounding: EUR → USD → AZN', () => {
    const rate = effectiveRate([
      { quote: q('EUR', 'USD', '1.0938'), inverted: false },
      { quote: q('USD', 'AZN', '1.7000'), inverted: false },
    ]);
    expect(formatRate(rate)).toBe('1.85946');
    expect(convertMinor({ minor: 150000000n, currency: 'EUR' }, 'AZN', rate)).toEqual({ minor: 278919000n, currency: 'AZN' });
  });

  it('inverts a leg without rounding it first', () => {
    const rate = effectiveRate([{ quote: q('EUR', 'USD', '1.0938'), inverted: true }]);
    expect(formatRate(rate)).toBe('0.9142439203');
    expect(convertMinor({ minor: 300000000n, currency: 'USD' }, 'EUR', rate)).toEqual({ minor: 274273176n, currency: 'EUR' });
  });
});

describe('shareOf', () => {
  it('gives the foreign share as a decimal fraction string', () => {
    expect(shareOf(2330000000n, 46411764706n + 2330000000n)).toBe('0.0478');
    expect(shareOf(0n, 0n)).toBeNull();
    expect(shareOf(1n, 3n, 6)).toBe('0.333333');
  });
});

describe('isValidRate', () => {
  it('accepts positive plain decimals only', () => {
    expect(isValidRate('1.7000')).toBe(true);
    expect(isValidRate('17043.21')).toBe(true);
    expect(isValidRate('0')).toBe(false);
    expect(isValidRate('-1.2')).toBe(false);
    expect(isValidRate('1e3')).toBe(false);
    expect(isValidRate(1.7)).toBe(false);
  });
});

describe('staleness', () => {
  it('is silent up to 7 days and speaks from the 8th: a week-end and a holiday are not stale', () => {
    expect(STALE_RATE_DAYS).toBe(7);
    expect(staleSince('2024-10-18', '2024-10-11')).toBeNull();
    expect(staleSince('2024-10-19', '2024-10-11')).toEqual({ rateDate: '2024-10-11', staleDays: 8 });
    expect(staleness('2024-10-11', [q('EUR', 'USD', '1.0938', '2024-10-11')])).toBeNull();
    expect(staleness('2024-10-18', [q('EUR', 'USD', '1.0938', '2024-10-11')])).toBeNull();
    expect(staleness('2024-10-19', [q('EUR', 'USD', '1.0938', '2024-10-11')])).toEqual({ rateDate: '2024-10-11', staleDays: 8 });
  });

  it('dates the EU pledge of the Q1 2025 report: valued 2025-03-31 with the ECB rate of 2024-10-11, 171 days earlier', () => {
    expect(staleness('2025-03-31', [q('EUR', 'USD', '1.0938', '2024-10-11')])).toEqual({ rateDate: '2024-10-11', staleDays: 171 });
  });

  it('counts whole calendar days across a leap day and a year end', () => {
    expect(staleSince('2024-03-01', '2024-02-28')).toBeNull();
    expect(staleSince('2024-03-07', '2024-02-28')).toEqual({ rateDate: '2024-02-28', staleDays: 8 });
    expect(staleSince('2025-01-02', '2024-12-24')).toEqual({ rateDate: '2024-12-24', staleDays: 9 });
  });

  it('dates a chained conversion by its oldest rate, whichever leg it is', () => {
    const fresh = q('EUR', 'GBP', '0.83705', '2024-10-11');
    const peg = q('USD', 'AZN', '1.7000', '2018-01-01');
    expect(staleness('2024-10-11', [fresh, q('EUR', 'USD', '1.0938', '2024-10-11'), peg])).toEqual({ rateDate: '2018-01-01', staleDays: 2475 });
    expect(staleness('2024-10-14', [q('EUR', 'USD', '1.0938', '2024-10-07'), fresh])).toBeNull();
    expect(staleness('2024-10-14', [fresh, q('EUR', 'USD', '1.0938', '2024-10-06')])).toEqual({ rateDate: '2024-10-06', staleDays: 8 });
  });

  it('says nothing of a figure that needed no rate', () => {
    expect(staleness('2025-03-31', [])).toBeNull();
  });
});
