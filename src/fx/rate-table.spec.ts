import { describe, it, expect } from '@jest/globals';
import type { RateQuote } from '../common/money/conversion';
import { RateTable } from './rate-table';

const rate = (base: string, quote: string, date: string, value: string): RateQuote => ({ base, quote, date, rate: value, source: 'test' });

describe('RateTable', () => {
  const table = new RateTable([
    rate('EUR', 'GBP', '2024-01-02', '0.8600'),
    rate('EUR', 'USD', '2024-01-02', '1.1000'),
    rate('EUR', 'USD', '2024-01-05', '1.0000'),
    rate('USD', 'AZN', '2017-01-03', '1.7000'),
    rate('USD', 'EUR', '2024-01-04', '0.8000'),
  ]);

  it('takes the nearest earlier published rate', () => {
    expect(table.rate('EUR', 'USD', '2024-01-03')).toEqual({ rate: expect.anything(), ratesUsed: [rate('EUR', 'USD', '2024-01-02', '1.1000')], stale: null });
    expect(table.rate('EUR', 'USD', '2024-01-03')?.rate.toFixed()).toBe('1.1');
    expect(table.rate('EUR', 'USD', '2024-01-01')).toBeNull();
  });

  it('prefers the inverse pair when it was published later, as FxService does', () => {
    expect(table.rate('EUR', 'USD', '2024-01-04')?.rate.toFixed()).toBe('1.25');
    expect(table.rate('EUR', 'USD', '2024-01-05')?.rate.toFixed()).toBe('1');
  });

  it('goes through EUR, then USD, and reports every rate it used', () => {
    const gbpToAzn = table.rate('GBP', 'AZN', '2024-01-03');
    expect(gbpToAzn?.ratesUsed.map((r) => `${r.base}/${r.quote}@${r.date}`)).toEqual(['EUR/GBP@2024-01-02', 'EUR/USD@2024-01-02', 'USD/AZN@2017-01-03']);
    // 1 / 0.86 × 1.1 × 1.7
    expect(gbpToAzn?.rate.toDecimalPlaces(12).toFixed()).toBe('2.174418604651');
    expect(table.rate('AZN', 'USD', '2020-06-30')?.rate.mul('1.7').toDecimalPlaces(30).toFixed()).toBe('1');
  });

  it('says when its oldest rate is more than 7 days older than the date asked for', () => {
    expect(table.rate('EUR', 'USD', '2024-01-12')?.stale).toBeNull();
    expect(table.rate('EUR', 'USD', '2024-01-13')?.stale).toEqual({ rateDate: '2024-01-05', staleDays: 8 });
    // EUR/GBP and EUR/USD of 2024-01-02, USD/AZN of 2017-01-03: the peg dates the chain
    expect(table.rate('GBP', 'AZN', '2024-01-03')?.stale).toEqual({ rateDate: '2017-01-03', staleDays: 2556 });
  });

  it('has no rate before the first publication or for an unknown currency', () => {
    expect(table.rate('EUR', 'GBP', '2023-12-31')).toBeNull();
    expect(table.rate('CHF', 'USD', '2024-01-03')).toBeNull();
    expect(table.rate('USD', 'USD', '2024-01-03')).toEqual({ rate: expect.anything(), ratesUsed: [], stale: null });
    expect(table.rate('USD', 'USD', '2024-01-03')?.rate.toFixed()).toBe('1');
  });
});
