/**
 * Writing CSV, one way for every export (the pledges export, the pledges list download, the
 * funding-gap tables): RFC 4180 (comma, CRLF line ends, quotes doubled), and protection against CSV
 * injection. Reading CSV (the pledges import) is in src/interop/csv.ts and undoes exactly this.
 */

/** A cell a spreadsheet would run as a formula: starts with = + - @, a tab or a carriage return (after any apostrophes this module added). */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A plain decimal number ("-1500.00") is not a formula: left as it is, it still sums in a spreadsheet. */
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

/**
 * One cell. A cell a spreadsheet would evaluate gets a leading apostrophe (OWASP's advice for CSV
 * injection), so a donor named "=HYPERLINK(…)" stays text; `unescapeFormula` removes exactly that
 * apostrophe on import, so an exported file re-imports to the same text. A cell holding a comma, a
 * quote, a line break, or space at either end is quoted.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The inverse of `csvCell`'s formula escape, for a cell read back from a file this app wrote. */
export function unescapeFormula(cell: string): string {
  // The apostrophe test first: the import calls this on every cell, and almost none start with one.
  return cell.charCodeAt(0) === 39 /* ' */ && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** One line, CRLF-terminated. */
export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole file: the header, then the rows. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  return [header, ...rows].map(csvLine).join('');
}

/** Excel opens a UTF-8 file correctly only when it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';
