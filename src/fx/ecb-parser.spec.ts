import { describe, expect, it } from '@jest/globals';
import { EcbFormatError, parseEcbCsv } from './ecb-parser';

// First lines of the two real ECB layouts (eurofxref-hist.csv and eurofxref.csv of 11 October 2024).
const HISTORY = ['Date,USD,JPY,BGN,CYP,CZK,', '2024-10-11,1.0938,162.94,1.9558,N/A,25.293,', '2024-10-10,1.0932,162.85,1.9558,N/A,25.317,', ''].join('\n');
const DAILY = 'Date, USD, JPY, BGN, CZK, \n11 October 2024, 1.0938, 162.94, 1.9558, 25.293, \n';

describe('parseEcbCsv', () => {
  it('reads the history layout, skipping N/A and withdrawn currencies', () => {
    const result = parseEcbCsv(HISTORY);
    expect(result.rates).toEqual([
      { date: '2024-10-11', currency: 'USD', rate: '1.0938' },
      { date: '2024-10-11', currency: 'JPY', rate: '162.94' },
      { date: '2024-10-11', currency: 'BGN', rate: '1.9558' },
      { date: '2024-10-11', currency: 'CZK', rate: '25.293' },
      { date: '2024-10-10', currency: 'USD', rate: '1.0932' },
      { date: '2024-10-10', currency: 'JPY', rate: '162.85' },
      { date: '2024-10-10', currency: 'BGN', rate: '1.9558' },
      { date: '2024-10-10', currency: 'CZK', rate: '25.317' },
    ]);
    expect(result.notQuoted).toBe(2);
  });

  it('reads the daily layout with spaces and a written date', () => {
    expect(parseEcbCsv(DAILY).rates).toEqual([
      { date: '2024-10-11', currency: 'USD', rate: '1.0938' },
      { date: '2024-10-11', currency: 'JPY', rate: '162.94' },
      { date: '2024-10-11', currency: 'BGN', rate: '1.9558' },
      { date: '2024-10-11', currency: 'CZK', rate: '25.293' },
    ]);
  });

  it('accepts a BOM and CRLF line ends', () => {
    expect(parseEcbCsv('\uFEFF' + HISTORY.replace(/\n/g, '\r\n')).rates).toHaveLength(8);
  });

  it('names the line and column of what it cannot read', () => {
    expect(() => parseEcbCsv('Currency,USD\n')).toThrow(EcbFormatError);
    expect(() => parseEcbCsv('Date,USD,\n2024-02-30,1.0938,\n')).toThrow('line 2, Date: "2024-02-30" is not a date');
    expect(() => parseEcbCsv('Date,USD,\n2024-10-11,abc,\n')).toThrow('line 2, USD: "abc" is not a positive decimal rate');
    expect(() => parseEcbCsv('Date,USD,\n2999-10-11,1.0938,\n')).toThrow(
      /^line 2, Date: 2999-10-11 must be a date from 1990-01-01 to \d{4}-\d\d-\d\d \(today \+ 1 day\)$/,
    );
    expect(() => parseEcbCsv('Date,USD,\n11 October 1989,1.0938,\n')).toThrow('line 2, Date: 1989-10-11 must be a date from 1990-01-01');
  });
});
