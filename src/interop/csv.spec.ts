import { describe, it, expect } from '@jest/globals';
import { csvCell, unescapeFormula } from '../common/csv';
import { csvDataRecords, CsvFormatError, decodeUtf8, parseCsv, scanCsv } from './csv';

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
    // Lines of one empty quoted cell are blank lines, so these files are empty too (not a crash).
    for (const blank of ['""', '""\n', '\n""\r\n""']) {
      expect(problem(blank)).toEqual([1, 'file', 'the file is empty: it needs a header row and at least one data row']);
      expect(() => scanCsv(blank)).toThrow('the file is empty');
    }
    expect(problem('a;b;c\n1;2;3')).toEqual([1, 'header', 'the columns are separated by semicolons: save the file as comma-separated CSV']);
    expect(problem('a,b\n1,"open\n2,3')).toEqual([2, 'column 2', 'a quoted cell opened on row 2, column 2 is never closed']);
    expect(problem('a,b\n1,"x"y')).toEqual([
      2,
      'column 2',
      'text after the closing quote of row 2, column 2: wrap the whole cell in quotes and double any quote inside it',
    ]);
    expect(problem('a,b\n1,x"y')).toEqual([2, 'column 2', 'a quote inside an unquoted cell on row 2, column 2: wrap the cell in quotes and double the quote']);
  });
});

describe('scanCsv and csvDataRecords', () => {
  /** Plain lines (split at their commas) mixed with quoted ones, LF, CRLF and a lone CR. */
  const TEXTS = [
    'a,b,c\n1,2,3\n4,5,6',
    'a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n',
    'a,b\r1,2\r3,4',
    'a,b\n1,"x\ny"\n2,3\n"",\n""\n,\n\n7,8\r',
    '\uFEFFa,b\n1,"say ""hi"""\r\n2,2\n',
    'a,b\n1,"open\n2,3',
    'a,b\n1,2\n3,x"y',
    'a;b\n1;2',
    'a,b\n',
    '',
  ];
  const outcome = (read: () => unknown) => {
    try {
      return read();
    } catch (error) {
      return [(error as CsvFormatError).row, (error as CsvFormatError).column, (error as Error).message];
    }
  };

  it('reads plain lines exactly as the quoted-cell reader would', () => {
    expect(parseCsv('a,b,c\r\n1,,3\r\n\r\n,\r4,5,6').rows).toEqual([
      { row: 2, cells: ['1', '', '3'] },
      { row: 4, cells: ['', ''] },
      { row: 5, cells: ['4', '5', '6'] },
    ]);
  });

  it.each(TEXTS.map((text) => [JSON.stringify(text), text]))('finds what parseCsv finds, row by row: %s', (_name, text) => {
    const parsed = outcome(() => parseCsv(text));
    const scanned = outcome(() => scanCsv(text));
    if (Array.isArray(parsed)) {
      expect(scanned).toEqual(parsed);
      return;
    }
    const table = parsed as ReturnType<typeof parseCsv>;
    expect(scanned).toEqual({ header: table.header, rows: table.rows.length });
    expect([...csvDataRecords(text)]).toEqual(table.rows);
  });
});

describe('csvCell (src/common/csv.ts) against the import parser', () => {
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
