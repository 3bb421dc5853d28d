import { describe, it, expect } from '@jest/globals';
import { DATE_RANGES, addDays, addYears, dateProblem } from './dates';
import { MAX_ID, isId, parseIdText } from './ids';
import { scanText, textProblem, trimText } from './text';

describe('textProblem', () => {
  const line = { min: 3, max: 10 };
  const notes = { max: 10, multiLine: true };

  it('accepts ordinary text, counting characters of the trimmed text', () => {
    expect(textProblem('Norway', line)).toBeNull();
    expect(textProblem('   abc   ', line)).toBeNull();
    expect(textProblem('Bakı ölkə', line)).toBeNull();
    // Ten emoji are twenty UTF-16 units but ten characters, as PostgreSQL's varchar counts them.
    expect(textProblem('\u{1F600}'.repeat(10), line)).toBeNull();
    expect(textProblem('\u{1F600}'.repeat(11), line)).toBe('must be at most 10 characters');
  });

  it('refuses blank and short text after trimming', () => {
    expect(textProblem('   ', line)).toBe('must not be empty or blank');
    expect(textProblem('', { max: 5, min: 1 })).toBe('must not be empty or blank');
    expect(textProblem('  ab  ', line)).toBe('must be at least 3 characters');
    expect(textProblem('', { max: 5 })).toBeNull();
  });

  it('refuses NUL and other control characters everywhere', () => {
    expect(textProblem('ab\u0000c', line)).toBe('must not contain NUL characters');
    expect(textProblem('ab\u0000c', notes)).toBe('must not contain NUL characters');
    expect(textProblem('ab\u0007c', notes)).toBe('must not contain control characters (U+0007)');
    expect(textProblem('ab\u007fc', line)).toBe('must not contain control characters (U+007F)');
    expect(textProblem('ab\u0085c', notes)).toBe('must not contain control characters (U+0085)');
    expect(textProblem('ab\u001bc', line)).toBe('must not contain control characters (U+001B)');
  });

  it('allows tabs and line breaks only in multi-line fields', () => {
    for (const breaking of ['a\nbc', 'a\r\nbc', 'ab\u2028c']) {
      expect(textProblem(breaking, line)).toBe('must be a single line (no line breaks)');
      expect(textProblem(breaking, notes)).toBeNull();
    }
    expect(textProblem('a\tbc', line)).toBe('must not contain tabs');
    expect(textProblem('a\tbc', notes)).toBeNull();
    // Trimming removes outer line breaks, so they are not refused: they are not stored.
    expect(textProblem('\nabc\n', line)).toBeNull();
  });

  it('refuses unpaired surrogates and anything that is not a string', () => {
    expect(textProblem('ab\ud800c', line)).toBe('must be well-formed Unicode (an unpaired surrogate)');
    expect(textProblem('abc\udc00', line)).toBe('must be well-formed Unicode (an unpaired surrogate)');
    for (const value of [null, undefined, 5, ['abc'], { a: 1 }, true]) expect(textProblem(value, line)).toBe('must be text (a JSON string)');
  });

  it('scanText does not trim; trimText trims strings only', () => {
    expect(scanText('\nabc')).toEqual({ problem: 'must be a single line (no line breaks)' });
    expect(scanText('abc')).toEqual({ characters: 3 });
    expect(trimText('  a  ')).toBe('a');
    expect(trimText(null)).toBeNull();
    expect(trimText(5)).toBe(5);
  });
});

describe('date ranges', () => {
  const today = '2026-12-01';

  it('adds days and years on the calendar', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addYears('2028-02-29', 10)).toBe('2038-02-28');
    expect(addYears('2026-12-01', 10)).toBe('2036-12-01');
  });

  it('bounds ledger dates to 1990-01-01 .. today + 10 years', () => {
    expect(dateProblem('1990-01-01', DATE_RANGES.ledger, today)).toBeNull();
    expect(dateProblem('2036-12-01', DATE_RANGES.ledger, today)).toBeNull();
    expect(dateProblem('2036-12-02', DATE_RANGES.ledger, today)).toBe('must be a date from 1990-01-01 to 2036-12-01 (today + 10 years)');
    expect(dateProblem('2999-01-01', DATE_RANGES.ledger, today)).toMatch(/^must be a date from 1990-01-01/);
    expect(dateProblem('1989-12-31', DATE_RANGES.ledger, today)).toMatch(/^must be a date from 1990-01-01/);
  });

  it('bounds receipts to today and rates to tomorrow', () => {
    expect(dateProblem(today, DATE_RANGES.receipt, today)).toBeNull();
    expect(dateProblem('2026-12-02', DATE_RANGES.receipt, today)).toBe('must be a date from 1990-01-01 to 2026-12-01 (today)');
    expect(dateProblem('2026-12-02', DATE_RANGES.rate, today)).toBeNull();
    expect(dateProblem('2026-12-03', DATE_RANGES.rate, today)).toBe('must be a date from 1990-01-01 to 2026-12-02 (today + 1 day)');
  });

  it('still refuses what is not a real date', () => {
    for (const value of ['2024-02-30', '24-01-16', '2024-1-1', 20240101, null]) {
      expect(dateProblem(value, DATE_RANGES.ledger, today)).toBe('must be a real date written YYYY-MM-DD');
    }
  });
});

describe('ids', () => {
  it('reads an id written with digits only, from 1 to 2^31 - 1', () => {
    expect(parseIdText('1')).toBe(1);
    expect(parseIdText('2147483647')).toBe(MAX_ID);
    for (const raw of ['0', '01', '007', ' 1', '1 ', '+1', '-1', '1.0', '1e3', '0x10', '', '2147483648', '99999999999', '１', undefined, 1, ['1']]) {
      expect(parseIdText(raw)).toBeNull();
    }
  });

  it('takes a JSON id as a whole number in range', () => {
    expect(isId(1)).toBe(true);
    expect(isId(MAX_ID)).toBe(true);
    for (const value of [0, -1, 1.5, MAX_ID + 1, 2 ** 53, Number.NaN, Infinity, '1', null]) expect(isId(value)).toBe(false);
  });
});
