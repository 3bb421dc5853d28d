import { describe, it, expect } from '@jest/globals';
import { csvCell, csvLine, toCsv, unescapeFormula } from './csv';

describe('csvCell', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('-')).toBe("'-");
  });

  it('keeps plain numbers, negative ones included, as numbers', () => {
    expect(csvCell('-1500.00')).toBe('-1500.00');
    expect(csvCell('4250000.00')).toBe('4250000.00');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(-3)).toBe('-3');
  });

  it('quotes commas, quotes, line breaks and space at either end, and writes null as empty', () => {
    expect(csvCell('Saudi Arabia, KSrelief')).toBe('"Saudi Arabia, KSrelief"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('undoes exactly its own escape, also on text that already began with an apostrophe', () => {
    for (const text of ['=SUM(A1)', "'=already", "''=twice", 'plain', "'plain", '-', '-42', '']) {
      const written = csvCell(text);
      const read = written.startsWith('"') ? written.slice(1, -1).replace(/""/g, '"') : written;
      expect(unescapeFormula(read)).toBe(text);
    }
  });
});

describe('csvLine and toCsv', () => {
  it('writes CRLF-terminated lines, a header first', () => {
    expect(csvLine(['=1+1', '+x', '-42', '@a', 'plain', 'a,b', null, 7])).toBe(`'=1+1,'+x,-42,'@a,plain,"a,b",,7\r\n`);
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
