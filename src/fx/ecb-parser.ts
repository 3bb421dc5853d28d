import { DATE_RANGES, dateProblem, isIsoDate, todayUtc } from '../common/dates';
import { isCurrencyCode } from '../common/money/iso4217';
import { isValidRate } from '../common/money/conversion';

/** One ECB reference rate: 1 EUR = `rate` `currency` on `date`. */
export interface EcbRate {
  date: string;
  currency: string;
  rate: string;
}

export interface EcbParseResult {
  rates: EcbRate[];
  /** Cells the feed marks N/A (a currency not quoted that day, or withdrawn). */
  notQuoted: number;
}

export class EcbFormatError extends Error {
  constructor(
    readonly line: number,
    readonly column: string,
    message: string,
  ) {
    super(`line ${line}, ${column}: ${message}`);
  }
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "2024-10-11" (history file) or "11 October 2024" (daily file). */
function parseEcbDate(raw: string): string | null {
  if (isIsoDate(raw)) return raw;
  const m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(raw);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2].toLowerCase());
  if (month < 0) return null;
  const iso = `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/**
 * Parses the ECB euro reference-rate CSV in both published layouts: the history file
 * (`Date,USD,JPY,…,` with ISO dates, newest first, `N/A` where absent) and the one-day file
 * (`Date, USD, …, ` with spaces after commas and "11 October 2024"). Both end lines with a comma.
 * Withdrawn currencies (CYP, ROL…) that are no longer ISO 4217 codes are skipped, not refused.
 */
export function parseEcbCsv(text: string): EcbParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const cells = (line: string) => line.split(',').map((c) => c.trim());
  const header = cells(lines[0] ?? '');
  if (header[0] !== 'Date') throw new EcbFormatError(1, 'Date', 'the first column must be "Date" (ECB eurofxref layout)');
  const currencies = header.slice(1);
  const rates: EcbRate[] = [];
  let notQuoted = 0;
  const today = todayUtc();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const row = cells(lines[i]);
    const date = parseEcbDate(row[0]);
    if (!date) throw new EcbFormatError(i + 1, 'Date', `"${row[0]}" is not a date`);
    const outOfRange = dateProblem(date, DATE_RANGES.rate, today);
    if (outOfRange) throw new EcbFormatError(i + 1, 'Date', `${date} ${outOfRange}`);
    currencies.forEach((currency, index) => {
      if (currency === '') return;
      const value = row[index + 1] ?? '';
      if (value === '' || value === 'N/A') {
        notQuoted++;
        return;
      }
      if (!isCurrencyCode(currency)) return;
      if (!isValidRate(value)) throw new EcbFormatError(i + 1, currency, `"${value}" is not a positive decimal rate`);
      rates.push({ date, currency, rate: value });
    });
  }
  return { rates, notQuoted };
}

export const ECB_SOURCE = 'European Central Bank euro foreign exchange reference rates';
