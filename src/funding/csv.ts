/**
 * CSV for the funding-gap tables (RFC 4180: comma, CRLF, quotes doubled). A cell that a
 * spreadsheet would run as a formula (starting with = + - @ tab or CR) gets a leading apostrophe,
 * so a donor named "=HYPERLINK(…)" stays text. Negative amounts are written without the minus
 * escape only when they are plain numbers, so they still sum in a spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
