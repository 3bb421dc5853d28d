import { describe, it, expect } from '@jest/globals';
import { csvCell, csvLine, CsvFormatError, decodeUtf8, parseCsv, unescapeFormula } from './csv';

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, line breaks inside quotes, CRLF and a BOM', () => {
    const table = parseCsv('\uFEFFa,b,c\r\n1,"x, ""y""","two\nlines"\r\n\r\n3,,\n');
    expect(table.header).toEqual(['a', 'b', 'c']);
    expect(table.rows).toEqual([
      { row: 2, cells: ['1', 'x, "y"', 'two\nlines'] },
      { row: 4, cells: ['3', '', ''] },
    ]);
  });

  it('names the row and column of what it refuses', () => {
    const problem = (text: string) => {
      try {
        parseCsv(text);
      } catch (error) {
        return [(error as CsvFormatError).row, (error as CsvFormatError).column, (error as Error).message];
      }
      return null;
    };
    expect(problem('')).toEqual([1, 'file', 'the file is empty: it needs a header row and at least one data row']);
    expect(problem('a;b;c\n1;2;3')).toEqual([1, 'header', 'the columns are separated by semicolons: save the file as comma-separated CSV']);
    expect(problem('a,b\n1,"open\n2,3')).toEqual([2, 'column 2', 'a quoted cell opened on row 2, column 2 is never closed']);
    expect(problem('a,b\n1,"x"y')).toEqual([2, 'column 2', 'text after the closing quote of row 2, column 2: wrap the whole cell in quotes and double any quote inside it']);
    expect(problem('a,b\n1,x"y')).toEqual([2, 'column 2', 'a quote inside an unquoted cell on row 2, column 2: wrap the cell in quotes and double the quote']);
  });
});

describe('csvCell and unescapeFormula', () => {
  it('escapes formula starts and quotes what needs quoting', () => {
    expect(csvLine(['=1+1', '+x', '-42', '@a', '\tt', 'plain', 'a,b', 'say "hi"', null, 7])).toBe(`'=1+1,'+x,'-42,'@a,'\tt,plain,"a,b","say ""hi""",,7\r\n`);
  });

  it('round-trips every cell, including one that already starts with an apostrophe', () => {
    for (const text of ['=SUM(A1)', "'=already", 'plain', "'plain", '-', '']) {
      const written = csvCell(text);
      const read = parseCsv(`h,k\n${written},end`).rows[0].cells[0];
      expect(unescapeFormula(read)).toBe(text);
    }
  });
});

describe('decodeUtf8', () => {
  it('refuses Windows-1252 bytes with their position', () => {
    expect(decodeUtf8(Buffer.from('a,b\nPožega', 'utf8'))).toBe('a,b\nPožega');
    expect(() => decodeUtf8(Buffer.from([0x61, 0x0a, 0x50, 0x6f, 0x9e]))).toThrow('the file is not UTF-8 text (first bad byte on row 2, character 3)');
  });
});
