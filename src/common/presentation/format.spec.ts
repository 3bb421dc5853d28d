import { describe, expect, it } from '@jest/globals';
import { formatAmount } from '../money/money';
import {
  formatCompact,
  formatCompactNumber,
  formatDateTime,
  formatDateWords,
  formatMoneyExact,
  formatMoneyHuman,
  formatQuantity,
  formatShare,
  signOfDecimal,
  staleNote,
} from './format';

describe('formatMoneyExact', () => {
  it('groups thousands and names the currency', () => {
    expect(formatMoneyExact('464117647.06', 'USD')).toBe('464,117,647.06 USD');
    expect(formatMoneyExact('4250000.00', 'EUR')).toBe('4,250,000.00 EUR');
    expect(formatMoneyExact('999.99', 'AZN')).toBe('999.99 AZN');
  });

  it('pads to the currency minor digits', () => {
    expect(formatMoneyExact('4250000', 'EUR')).toBe('4,250,000.00 EUR');
    expect(formatMoneyExact('1500000.5', 'EUR')).toBe('1,500,000.50 EUR');
    expect(formatMoneyExact('1500000', 'JPY')).toBe('1,500,000 JPY');
    expect(formatMoneyExact('12.5', 'KWD')).toBe('12.500 KWD');
  });

  it('keeps digits beyond the minor unit instead of rounding them away', () => {
    expect(formatMoneyExact('0.005', 'USD')).toBe('0.005 USD');
  });

  it('is exact beyond the range of a float', () => {
    expect(formatMoneyExact('9999999999999.99', 'USD')).toBe('9,999,999,999,999.99 USD');
  });

  it('supports negative amounts and never prints a negative zero', () => {
    expect(formatMoneyExact('-1234567.89', 'USD')).toBe('-1,234,567.89 USD');
    expect(formatMoneyExact('-0.00', 'USD')).toBe('0.00 USD');
    expect(formatMoneyExact('007.10', 'USD')).toBe('7.10 USD');
  });

  it('refuses what is not a plain decimal string', () => {
    expect(() => formatMoneyExact('1e6', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyExact('1,000.00', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyExact('', 'USD')).toThrow(RangeError);
    expect(() => formatMoneyExact(1000 as unknown as string, 'USD')).toThrow(RangeError);
  });
});

/** Minor units as the ledger stores them, through the contract's decimal string. */
const minor = (units: bigint, currency: string) => formatAmount(units, currency);

describe('formatMoneyHuman', () => {
  it('keeps the cents below 10,000 and drops them from 10,000 up', () => {
    expect(formatMoneyHuman(minor(999999n, 'USD'), 'USD')).toBe('9,999.99 USD');
    expect(formatMoneyHuman(minor(1000000n, 'USD'), 'USD')).toBe('10,000 USD');
    expect(formatMoneyHuman('999.99', 'AZN')).toBe('999.99 AZN');
    expect(formatMoneyHuman('0', 'USD')).toBe('0.00 USD');
  });

  it('rounds to whole units half away from zero', () => {
    expect(formatMoneyHuman('1367250.55', 'USD')).toBe('1,367,251 USD');
    expect(formatMoneyHuman('1367250.49', 'USD')).toBe('1,367,250 USD');
    expect(formatMoneyHuman('464117647.06', 'USD')).toBe('464,117,647 USD');
    expect(formatMoneyHuman('10000.50', 'EUR')).toBe('10,001 EUR');
    expect(formatMoneyHuman('-250000.50', 'EUR')).toBe('-250,001 EUR');
  });

  it('writes the currency code, never a symbol', () => {
    expect(formatMoneyHuman(minor(78900000000n, 'AZN'), 'AZN')).toBe('789,000,000 AZN');
    expect(formatMoneyHuman('9999.995', 'KWD')).toBe('9,999.995 KWD');
    expect(formatMoneyHuman('1500000', 'JPY')).toBe('1,500,000 JPY');
  });
});

describe('formatCompact', () => {
  it('gives three significant digits in the largest fitting unit, for headlines', () => {
    expect(formatCompact(minor(465000000n, 'EUR'), 'EUR')).toBe('4.65M EUR');
    expect(formatCompact(minor(78900000000n, 'AZN'), 'AZN')).toBe('789M AZN');
    expect(formatCompact('464117647.06', 'USD')).toBe('464M USD');
    expect(formatCompact('23300000.00', 'USD')).toBe('23.3M USD');
    expect(formatCompact('4040000000.00', 'AZN')).toBe('4.04B AZN');
    expect(formatCompact('950000.00', 'USD')).toBe('950K USD');
    expect(formatCompact('12345', 'USD')).toBe('12.3K USD');
  });

  it('drops trailing zeros', () => {
    expect(formatCompact('1500000000', 'AZN')).toBe('1.5B AZN');
    expect(formatCompact('3000000.00', 'USD')).toBe('3M USD');
    expect(formatCompact('12000000000000', 'USD')).toBe('12T USD');
  });

  it('rounds half up, away from zero for negative amounts', () => {
    expect(formatCompact('4255000.00', 'EUR')).toBe('4.26M EUR');
    expect(formatCompact('4254999.99', 'EUR')).toBe('4.25M EUR');
    expect(formatCompact('-4255000.00', 'EUR')).toBe('-4.26M EUR');
  });

  it('moves to the next unit, or the next digit, when rounding adds one', () => {
    expect(formatCompact('999600.00', 'USD')).toBe('1M USD');
    expect(formatCompact('999400.00', 'USD')).toBe('999K USD');
    expect(formatCompact('9996000.00', 'USD')).toBe('10M USD');
    expect(formatCompact('99960000.00', 'USD')).toBe('100M USD');
  });

  it('keeps the figure as money for people below 10,000', () => {
    expect(formatCompact(minor(999999n, 'USD'), 'USD')).toBe('9,999.99 USD');
    expect(formatCompact(minor(1000000n, 'USD'), 'USD')).toBe('10K USD');
    expect(formatCompact('950.5', 'USD')).toBe('950.50 USD');
    expect(formatCompact('0', 'USD')).toBe('0.00 USD');
  });

  it('has a bare number form for axis labels', () => {
    expect(formatCompactNumber('25000000')).toBe('25M');
    expect(formatCompactNumber('2500')).toBe('2.5K');
    expect(formatCompactNumber('250')).toBe('250');
    expect(formatCompactNumber('0.5')).toBe('0.5');
  });
});

describe('formatDateWords and formatDateTime', () => {
  it('writes a date in words without moving it to another day', () => {
    expect(formatDateWords('2025-03-31')).toBe('31 March 2025');
    expect(formatDateWords('2024-01-02')).toBe('2 January 2024');
    expect(() => formatDateWords('2024-13-02')).toThrow(RangeError);
  });

  it('writes an instant to the minute in Baku time (UTC+4)', () => {
    expect(formatDateTime('2026-12-05T17:43:59.999Z')).toBe('5 December 2026, 21:43');
    expect(formatDateTime(new Date('2025-03-31T20:30:00Z'))).toBe('1 April 2025, 00:30');
    expect(() => formatDateTime('yesterday')).toThrow(RangeError);
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
