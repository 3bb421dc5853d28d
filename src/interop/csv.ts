/**
 * RFC 4180 CSV, read strictly and written safely. Rows are counted the way a spreadsheet shows
 * them: the header is row 1, the first data row is row 2 (a quoted cell spanning lines is still one
 * row). Columns are counted from 1.
 */

export class CsvFormatError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

export interface CsvRecord {
  /** The spreadsheet row the record starts on. */
  row: number;
  cells: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRecord[];
}

const OTHER_DELIMITERS: Array<[string, string]> = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars'],
];

/**
 * Decodes bytes as UTF-8, refusing anything else with the row and column of the first bad byte
 * (a Windows-1252 or Latin-1 export from a spreadsheet is the usual cause).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    throw notUtf8(text);
  }
}

/** Text already decoded leniently (an HTTP body) carries U+FFFD where the bytes were not UTF-8. */
export function assertDecodedUtf8(text: string): void {
  if (text.includes('\uFFFD')) throw notUtf8(text);
}

function notUtf8(text: string): CsvFormatError {
  const at = text.indexOf('\uFFFD');
  const before = text.slice(0, at);
  const row = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return new CsvFormatError(row, `character ${column}`, `the file is not UTF-8 text (first bad byte on row ${row}, character ${column}): save it as "CSV UTF-8"`);
}

/** Parses a whole CSV text. Accepts a BOM and CRLF or LF line ends; refuses anything ambiguous. */
export function parseCsv(input: string): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new CsvFormatError(1, 'file', 'the file is empty: it needs a header row and at least one data row');
  const records: CsvRecord[] = [];
  const length = text.length;
  let i = 0;
  let row = 1;
  while (i < length) {
    const startRow = row;
    const record: string[] = [];
    for (;;) {
      const column = record.length + 1;
      let cell: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        const openedAt = row;
        let value = '';
        let from = i + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) throw new CsvFormatError(openedAt, `column ${column}`, `a quoted cell opened on row ${openedAt}, column ${column} is never closed`);
          value += text.slice(from, quote);
          if (text.charCodeAt(quote + 1) === 34) {
            value += '"';
            from = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        cell = value;
        const next = text.charCodeAt(i);
        if (i < length && next !== 44 && next !== 10 && next !== 13) {
          throw new CsvFormatError(openedAt, `column ${column}`, `text after the closing quote of row ${openedAt}, column ${column}: wrap the whole cell in quotes and double any quote inside it`);
        }
      } else {
        let end = i;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) throw new CsvFormatError(row, `column ${column}`, `a quote inside an unquoted cell on row ${row}, column ${column}: wrap the cell in quotes and double the quote`);
          end++;
        }
        cell = text.slice(i, end);
        i = end;
      }
      record.push(cell);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      else if (c === 10) i++;
      break;
    }
    if (!(record.length === 1 && record[0] === '')) records.push({ row: startRow, cells: record });
    row++;
  }
  const [header, ...rows] = records;
  checkHeader(header.cells);
  return { header: header.cells, rows };
}

function checkHeader(header: string[]): void {
  if (header.length === 1) {
    for (const [delimiter, name] of OTHER_DELIMITERS) {
      if (header[0].includes(delimiter)) {
        throw new CsvFormatError(1, 'header', `the columns are separated by ${name}: save the file as comma-separated CSV`);
      }
    }
  }
}

/** A cell a spreadsheet would run as a formula: starts with = + - @, a tab or a carriage return. */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * Escapes one cell for CSV. A cell a spreadsheet would evaluate gets a leading apostrophe (OWASP's
 * advice for CSV injection); `unescapeFormula` removes exactly that apostrophe again on import, so
 * an exported file re-imports to the same text.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function unescapeFormula(cell: string): string {
  return FORMULA_START.test(cell.slice(1)) && cell.startsWith("'") ? cell.slice(1) : cell;
}

export function csvLine(cells: Array<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Excel opens a UTF-8 file correctly only when it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';
