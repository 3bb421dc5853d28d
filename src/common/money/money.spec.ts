import { describe, expect, it } from '@jest/globals';
import { formatAmount, MoneyFormatError, parseAmount } from './money';
import { isCurrencyCode, minorDigits } from './iso4217';

describe('parseAmount', () => {
  it('reads decimal strings into exact minor units', () => {
    expect(parseAmount('4250000.00', 'EUR')).toEqual({ minor: 425000000n, currency: 'EUR' });
    expect(parseAmount('3000000', 'USD')).toEqual({ minor: 300000000n, currency: 'USD' });
    expect(parseAmount('0.5', 'USD')).toEqual({ minor: 50n, currency: 'USD' });
    expect(parseAmount('1500', 'JPY')).toEqual({ minor: 1500n, currency: 'JPY' });
    expect(parseAmount('1.234', 'KWD')).toEqual({ minor: 1234n, currency: 'KWD' });
  });

  it('accepts exactly 10^13 and refuses anything above it', () => {
    expect(parseAmount('10000000000000.00', 'USD').minor).toBe(1000000000000000n);
    expect(() => parseAmount('10000000000000.01', 'USD')).toThrow('at most 10000000000000');
    expect(() => parseAmount('10000000000001', 'USD')).toThrow(MoneyFormatError);
  });

  it.each([
    [4250000, 'a JSON number'],
    ['-5.00', 'a sign'],
    ['1e6', 'an exponent'],
    ['1,000.00', 'thousands separators'],
    ['1 000.00', 'spaces'],
    ['01.00', 'a leading zero'],
    ['1.', 'a dangling point'],
    ['.5', 'a missing whole part'],
    ['', 'nothing'],
  ])('refuses %p (%s)', (raw: unknown, _reason: string) => {
    expect(() => parseAmount(raw, 'USD')).toThrow(MoneyFormatError);
  });

  it('refuses more decimals than the currency has, naming both', () => {
    expect(() => parseAmount('1.001', 'USD')).toThrow('amount has 3 decimals but USD has 2');
    expect(() => parseAmount('1.5', 'JPY')).toThrow('amount has 1 decimals but JPY has 0');
  });

  it('refuses zero unless asked, and names the field', () => {
    expect(() => parseAmount('0.00', 'USD')).toThrow('amount must be more than zero');
    expect(parseAmount('0', 'USD', 'amount', { allowZero: true }).minor).toBe(0n);
    try {
      parseAmount('x', 'USD', 'inKind.unitValue.amount');
    } catch (error) {
      expect((error as MoneyFormatError).field).toBe('inKind.unitValue.amount');
    }
  });

  it('refuses unknown and lower-case currency codes', () => {
    expect(() => parseAmount('1.00', 'usd')).toThrow('not an ISO 4217 code');
    expect(() => parseAmount('1.00', 'XYZ')).toThrow('not an ISO 4217 code');
  });
});

describe('formatAmount', () => {
  it('prints the contract decimal string with the currency’s digits', () => {
    expect(formatAmount(425000000n, 'EUR')).toBe('4250000.00');
    expect(formatAmount(5n, 'USD')).toBe('0.05');
    expect(formatAmount(-12345n, 'AZN')).toBe('-123.45');
    expect(formatAmount(1500n, 'JPY')).toBe('1500');
    expect(formatAmount(1234n, 'KWD')).toBe('1.234');
  });

  it('round-trips every parse exactly', () => {
    for (const raw of ['0.01', '789000000.00', '9999999999999.99', '23300000.00']) {
      expect(formatAmount(parseAmount(raw, 'USD').minor, 'USD')).toBe(raw);
    }
  });
});

describe('ISO 4217 table', () => {
  it('knows the currencies of the report and their minor digits', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('AZN')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(isCurrencyCode('SAR')).toBe(true);
    expect(isCurrencyCode('CYP')).toBe(false);
  });
});
