import { describe, expect, it } from '@jest/globals';
import { formatCompact, formatCompactNumber, formatMoneyHuman, formatQuantity, formatShare, signOfDecimal, staleNote } from './format';

describe('formatMoneyHuman', () => {
  it('groups thousands and names the currency', () => {
    expect(formatMoneyHuman('464117647.06', 'USD')).toBe('464,117,647.06 USD');
    expect(formatMoneyHuman('4250000.00', 'EUR')).toBe('4,250,000.00 EUR');
    expect(formatMoneyHuman('999.99', 'AZN')).toBe('999.99 AZN');
  });

  it('pads to the currency minor digits', () => {
    expect(formatMoneyHuman('4250000', 'EUR')).toBe('4,250,000.00 EUR');
    expect(formatMoneyHuman('1500000.5', 'EUR')).toBe('1,500,000.50 EUR');
    expect(formatMoneyHuman('1500000', 'JPY')).toBe('1,500,000 JPY');
    expect(formatMoneyHuman('12.5', 'KWD')).toBe('12.500 KWD');
  });

  it('keeps digits beyond the minor unit instead of rounding them away', () => {
    expect(formatMoneyHuman('0.005', 'USD')).toBe('0.005 USD');
  });

  it('is exact beyond the range of a float', () => {
    expect(formatMoneyHuman('9999999999999.99', 'USD')).toBe('9,999,999,999,999.99 USD');
  });

  it('writes a symbol where readers expect one', () => {
    expect(formatMoneyHuman('4250000.00', 'EUR', 'symbol')).toBe('€4,250,000.00');
    expect(formatMoneyHuman('3000000', 'USD', 'symbol')).toBe('$3,000,000.00');
    expect(formatMoneyHuman('789000000', 'AZN', 'symbol')).toBe('789,000,000.00 ₼');
    expect(formatMoneyHuman('100', 'CHF', 'symbol')).toBe('100.00 CHF');
  });

  it('supports negative amounts and never prints a negative zero', () => {
    expect(formatMoneyHuman('-1234567.89', 'USD')).toBe('-1,234,567.89 USD');
    expect(formatMoneyHuman('-4250000', 'EUR', 'symbol')).toBe('-€4,250,000.00');
    expect(formatMoneyHuman('-0.00', 'USD')).toBe('0.00 USD');
    expect(formatMoneyHuman('007.10', 'USD')).toBe('7.10 USD');
  });

  it('refuses what is not a plain decimal string', () => {
    expect(() => formatMoneyHuman('1e6', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyHuman('1,000.00', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyHuman('', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyHuman(1000 as unknown as string, 'USD')).toThrow(RangeError);
  });
});

describe('formatCompact', () => {
  it('rounds to one decimal of the largest fitting unit', () => {
    expect(formatCompact('464117647.06', 'USD')).toBe('464.1M USD');
    expect(formatCompact('23300000.00', 'USD')).toBe('23.3M USD');
    expect(formatCompact('1500000000', 'AZN')).toBe('1.5B AZN');
    expect(formatCompact('4040000000.00', 'AZN')).toBe('4.0B AZN');
    expect(formatCompact('950000.00', 'USD')).toBe('950.0K USD');
    expect(formatCompact('12000000000000', 'USD')).toBe('12.0T USD');
  });

  it('rounds half up, away from zero for negative amounts', () => {
    expect(formatCompact('4250000.00', 'EUR')).toBe('4.3M EUR');
    expect(formatCompact('4249999.99', 'EUR')).toBe('4.2M EUR');
    expect(formatCompact('-4250000.00', 'EUR')).toBe('-4.3M EUR');
  });

  it('moves to the next unit when rounding reaches a thousand', () => {
    expect(formatCompact('999960.00', 'USD')).toBe('1.0M USD');
    expect(formatCompact('999940.00', 'USD')).toBe('999.9K USD');
  });

  it('keeps the exact figure below one thousand', () => {
    expect(formatCompact('950.5', 'USD')).toBe('950.50 USD');
    expect(formatCompact('0', 'USD')).toBe('0.00 USD');
  });

  it('has a bare number form for axis labels', () => {
    expect(formatCompactNumber('25000000')).toBe('25.0M');
    expect(formatCompactNumber('250')).toBe('250');
  });
});

describe('formatShare', () => {
  it('writes a fraction as a percentage with the precision it was given', () => {
    expect(formatShare('0.0478')).toBe('4.78%');
    expect(formatShare('0.048')).toBe('4.8%');
    expect(formatShare('0.05')).toBe('5%');
    expect(formatShare('0.5000')).toBe('50.00%');
    expect(formatShare('1')).toBe('100%');
    expect(formatShare('0')).toBe('0%');
    expect(formatShare('0.000012')).toBe('0.0012%');
    expect(formatShare('-0.01')).toBe('-1%');
  });

  it('shows a dash where there is no share', () => {
    expect(formatShare(null)).toBe('—');
  });
});

describe('formatQuantity', () => {
  it('groups thousands, drops trailing zeros and adds the unit', () => {
    expect(formatQuantity('975905.80', 'ha')).toBe('975,905.8 ha');
    expect(formatQuantity('8.0000', 'mine detection dogs')).toBe('8 mine detection dogs');
    expect(formatQuantity('1166700')).toBe('1,166,700');
    expect(formatQuantity('-2.50', 'ha')).toBe('-2.5 ha');
  });
});

describe('signOfDecimal', () => {
  it('reads the sign without a float', () => {
    expect(signOfDecimal('0.00')).toBe(0);
    expect(signOfDecimal('-0.00')).toBe(0);
    expect(signOfDecimal('0.01')).toBe(1);
    expect(signOfDecimal('-150000.00')).toBe(-1);
  });
});

describe('staleNote', () => {
  it('names the rate date and how much earlier it is than the value date', () => {
    expect(staleNote('2025-03-31', '2024-10-11')).toBe('rate of 2024-10-11, 171 days earlier');
    expect(staleNote('2024-10-19', '2024-10-11')).toBe('rate of 2024-10-11, 8 days earlier');
  });

  it('says nothing of a rate at most 7 days old', () => {
    expect(staleNote('2024-10-18', '2024-10-11')).toBeNull();
    expect(staleNote('2024-10-11', '2024-10-11')).toBeNull();
  });
});
