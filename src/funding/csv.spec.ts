import { describe, it, expect } from '@jest/globals';
import { csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
  });

  it('keeps plain numbers, negative ones included, as numbers', () => {
    expect(csvCell('-1500.00')).toBe('-1500.00');
    expect(csvCell('4250000.00')).toBe('4250000.00');
    expect(csvCell(12)).toBe('12');
  });

  it('quotes commas, quotes and line breaks, and writes null as empty', () => {
    expect(csvCell('Saudi Arabia, KSrelief')).toBe('"Saudi Arabia, KSrelief"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
  });
});

describe('toCsv', () => {
  it('writes a header and rows with CRLF line ends', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['1', null],
          ['x,y', '2'],
        ],
      ),
    ).toBe('a,b\r\n1,\r\n"x,y",2\r\n');
  });
});
