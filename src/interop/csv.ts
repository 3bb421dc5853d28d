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
  return new CsvFormatError(
    row,
    `character ${column}`,
    `the file is not UTF-8 text (first bad byte on row ${row}, character ${column}): save it as "CSV UTF-8"`,
  );
}

/** Parses a whole CSV text. Accepts a BOM and CRLF or LF line ends; refuses anything ambiguous. */
export function parseCsv(input: string): CsvTable {
  const [header, ...rows] = readRecords(csvText(input), () => true);
  // Records of one empty cell (a line holding only "") are blank lines: a file of nothing else is empty.
  if (!header) throw emptyFile();
  checkHeader(header.cells);
  return { header: header.cells, rows };
}

/** What `scanCsv` finds: the header's cells and how many data rows follow it. */
export interface CsvShape {
  header: string[];
  rows: number;
}

/**
 * Checks a whole CSV text exactly as `parseCsv` does, throwing the same errors, but cuts only the
 * header's cells. With `csvDataRecords` it stands in for `parseCsv` where a big file is processed
 * row by row: the rows then never all sit in memory at once, which for 100,000 rows cut reading
 * them to about a third (the garbage collector no longer copies the whole table as it grows).
 */
export function scanCsv(input: string): CsvShape {
  let header: string[] | undefined;
  let rows = 0;
  for (const record of readRecords(csvText(input), (index) => index === 0)) {
    if (header === undefined) header = record.cells;
    else rows++;
  }
  if (header === undefined) throw emptyFile();
  checkHeader(header);
  return { header, rows };
}

/** The data rows of a text that `scanCsv` accepted, one at a time: `parseCsv(input).rows`, lazily. */
export function csvDataRecords(input: string): Iterator<CsvRecord> & Iterable<CsvRecord> {
  const records = readRecords(csvText(input), () => true);
  records.next(); // the header
  return records;
}

function emptyFile(): CsvFormatError {
  return new CsvFormatError(1, 'file', 'the file is empty: it needs a header row and at least one data row');
}

/** The text without its byte-order mark; an empty (or blank) file is refused. */
function csvText(input: string): string {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw emptyFile();
  return text;
}

/** A cell-less record: `readRecords` passing over a record it was not asked to keep. */
const UNCUT: string[] = [];

/**
 * Reads the records of a text, blank lines left out; `keep(index)` says whether to cut the cells
 * of the record at that index (counted without blank lines), the others come with `UNCUT`. Every
 * record is checked the same either way, so a pass that keeps nothing refuses what parsing does.
 */
function* readRecords(text: string, keep: (index: number) => boolean): Generator<CsvRecord> {
  const length = text.length;
  let i = 0;
  let row = 1;
  let index = 0;
  // Where the next quote and carriage return are: a line with neither (but for the CR of a CRLF
  // ending) is plain, and splits at its commas natively: the cells come out exactly as the loop
  // below would cut them, several times faster. Kept as positions so that each is searched for
  // once, not once per line.
  let nextQuote = -1;
  let nextReturn = -1;
  while (i < length) {
    const startRow = row;
    const keepCells = keep(index);
    if (nextQuote !== length && nextQuote < i) nextQuote = indexOrEnd(text, '"', i);
    if (nextReturn !== length && nextReturn < i) nextReturn = indexOrEnd(text, '\r', i);
    const lineEnd = indexOrEnd(text, '\n', i);
    const crlf = nextReturn === lineEnd - 1;
    const contentEnd = crlf ? nextReturn : lineEnd;
    if (nextQuote >= contentEnd && (crlf || nextReturn >= lineEnd)) {
      if (contentEnd > i) {
        yield { row: startRow, cells: keepCells ? text.slice(i, contentEnd).split(',') : UNCUT };
        index++;
      }
      i = lineEnd + 1;
      row++;
      continue;
    }
    const record: string[] = [];
    let cellCount = 0;
    let onlyCellEmpty: boolean;
    for (;;) {
      const column = cellCount + 1;
      let cell = '';
      let empty: boolean;
      if (text.charCodeAt(i) === 34 /* " */) {
        const openedAt = row;
        let from = i + 1;
        empty = true;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) throw new CsvFormatError(openedAt, `column ${column}`, `a quoted cell opened on row ${openedAt}, column ${column} is never closed`);
          if (quote > from) empty = false;
          if (keepCells) cell += text.slice(from, quote);
          if (text.charCodeAt(quote + 1) === 34) {
            empty = false;
            if (keepCells) cell += '"';
            from = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < length && next !== 44 && next !== 10 && next !== 13) {
          throw new CsvFormatError(
            openedAt,
            `column ${column}`,
            `text after the closing quote of row ${openedAt}, column ${column}: wrap the whole cell in quotes and double any quote inside it`,
          );
        }
      } else {
        let end = i;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34)
            throw new CsvFormatError(
              row,
              `column ${column}`,
              `a quote inside an unquoted cell on row ${row}, column ${column}: wrap the cell in quotes and double the quote`,
            );
          end++;
        }
        empty = end === i;
        if (keepCells) cell = text.slice(i, end);
        i = end;
      }
      if (keepCells) record.push(cell);
      cellCount++;
      onlyCellEmpty = cellCount === 1 && empty;
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      else if (c === 10) i++;
      break;
    }
    if (!onlyCellEmpty) {
      yield { row: startRow, cells: keepCells ? record : UNCUT };
      index++;
    }
    row++;
  }
}

/** The position of `search` from `from` on, or the text's length when there is none. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
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

// Writing CSV (cells, formula escapes and their inverse, the byte-order mark) is src/common/csv.ts.
