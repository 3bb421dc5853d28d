import { staleSince } from '../money/conversion';
import { isCurrencyCode, minorDigits } from '../money/iso4217';

/**
 * Formatting for people: screens, print and email. Every helper works on the decimal string of
 * the HTTP contract ("464117647.06") with string and BigInt arithmetic, so an exact figure is
 * never rounded by a float. `formatMoneyHuman` (whole units from 10,000) and `formatCompact`
 * (headlines) round openly; pages show the exact `formatMoneyExact` figure beside them in a
 * `title`, and every CSV holds it.
 */

/** Shown where a figure does not exist (no reported share, no target): never a made-up zero. */
export const NOT_AVAILABLE = '—';

interface Decimal {
  readonly negative: boolean;
  /** Whole part without leading zeros ("0" for zero). */
  readonly whole: string;
  /** Fraction digits exactly as given (may be empty). */
  readonly fraction: string;
}

const DECIMAL_PATTERN = /^(-)?([0-9]+)(?:\.([0-9]+))?$/;

function parseDecimal(value: string, what: string): Decimal {
  const match = typeof value === 'string' ? DECIMAL_PATTERN.exec(value) : null;
  if (!match) {
    throw new RangeError(`${what} must be a plain decimal string such as "4250000.00", got ${JSON.stringify(value)}`);
  }
  const [, sign, whole, fraction = ''] = match;
  const isZero = /^0*$/.test(whole + fraction);
  return { negative: sign === '-' && !isZero, whole: whole.replace(/^0+(?=[0-9])/, ''), fraction };
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=([0-9]{3})+$)/g, ',');
}

function signPrefix(decimal: Decimal): string {
  return decimal.negative ? '-' : '';
}

/** -1, 0 or 1 for a decimal string, without converting it to a float. */
export function signOfDecimal(amount: string): -1 | 0 | 1 {
  const decimal = parseDecimal(amount, 'amount');
  if (decimal.negative) return -1;
  return /^0*$/.test(decimal.whole + decimal.fraction) ? 0 : 1;
}

/**
 * From this many whole units up, money for people has no minor digits: "1,367,251 USD", not
 * "1,367,250.55 USD". Pages give the exact figure in a `title`; CSV files always hold it.
 */
const WHOLE_UNITS_FROM = 10_000n;

function figureOf(decimal: Decimal, digits: number): string {
  const fraction = decimal.fraction.padEnd(digits, '0');
  return groupThousands(decimal.whole) + (fraction ? `.${fraction}` : '');
}

function minorDigitsFor(currency: string, decimal: Decimal): number {
  return isCurrencyCode(currency) ? minorDigits(currency) : decimal.fraction.length;
}

/**
 * The exact figure with its currency code: "4250000" with EUR → "4,250,000.00 EUR". Pads to the
 * currency's minor digits and keeps any extra digits rather than rounding them away. For records
 * (a pledge's own amount, the history) and for the `title` beside every rounded figure.
 */
export function formatMoneyExact(amount: string, currency: string): string {
  const decimal = parseDecimal(amount, 'amount');
  return `${signPrefix(decimal)}${figureOf(decimal, minorDigitsFor(currency, decimal))} ${currency}`;
}

/**
 * Money for people, on every screen and in every email: the currency's code (never a symbol; the
 * manat sign is missing from many fonts), cents below 10,000 ("9,999.99 USD") and whole units,
 * rounded half away from zero, from 10,000 up ("10,000 USD", "1,367,251 USD").
 */
export function formatMoneyHuman(amount: string, currency: string): string {
  const decimal = parseDecimal(amount, 'amount');
  const whole = BigInt(decimal.whole);
  if (whole < WHOLE_UNITS_FROM) return formatMoneyExact(amount, currency);
  const rounded = decimal.fraction !== '' && decimal.fraction[0] >= '5' ? whole + 1n : whole;
  return `${signPrefix(decimal)}${groupThousands(rounded.toString())} ${currency}`;
}

const COMPACT_UNITS = [
  { suffix: 'K', power: 3 },
  { suffix: 'M', power: 6 },
  { suffix: 'B', power: 9 },
  { suffix: 'T', power: 12 },
] as const;

/** Significant digits of a compact figure: "4.65M", "23.3M", "789M". */
const COMPACT_DIGITS = 3;

/** |decimal| / 10^shift, rounded half up (shift ≥ 0 counts whole digits dropped). */
function roundedShift(decimal: Decimal, shift: number): bigint {
  const scaled = BigInt(decimal.whole + decimal.fraction);
  const divisor = 10n ** BigInt(decimal.fraction.length + shift);
  const quotient = scaled / divisor;
  return 2n * (scaled % divisor) >= divisor ? quotient + 1n : quotient;
}

/** Three significant digits in thousands, millions, billions or trillions; trailing zeros dropped ("1.5B", not "1.50B"). */
function compactFigure(decimal: Decimal): string {
  let unitIndex = COMPACT_UNITS.findLastIndex((unit) => decimal.whole.length - 1 >= unit.power);
  const wholeDigits = decimal.whole.length - COMPACT_UNITS[unitIndex].power;
  let decimals = Math.max(0, COMPACT_DIGITS - wholeDigits);
  let value = roundedShift(decimal, COMPACT_UNITS[unitIndex].power - decimals);
  // Rounding can add a digit: 9.995M is 10.0M, and 999.6K is 1M.
  if (value >= 10n ** BigInt(COMPACT_DIGITS)) {
    if (decimals > 0) {
      decimals -= 1;
      value /= 10n;
    } else if (unitIndex < COMPACT_UNITS.length - 1) {
      unitIndex += 1;
      decimals = COMPACT_DIGITS - 1;
      value = roundedShift(decimal, COMPACT_UNITS[unitIndex].power - decimals);
    }
  }
  const scale = 10n ** BigInt(decimals);
  const fraction = decimals ? (value % scale).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  return `${signPrefix(decimal)}${groupThousands((value / scale).toString())}${fraction ? `.${fraction}` : ''}${COMPACT_UNITS[unitIndex].suffix}`;
}

/**
 * A bare compact number for chart axes: "25000000" → "25M", "2500" → "2.5K"; below one thousand
 * the figure as it is ("250", "0.5").
 */
export function formatCompactNumber(amount: string): string {
  const decimal = parseDecimal(amount, 'amount');
  if (decimal.whole.length <= 3) return signPrefix(decimal) + decimal.whole + (decimal.fraction ? `.${decimal.fraction}` : '');
  return compactFigure(decimal);
}

/**
 * Money in a headline, to three significant digits: 4,650,000.00 EUR → "4.65M EUR", 789,000,000
 * AZN → "789M AZN". Below 10,000 the figure is already short and is shown as `formatMoneyHuman`
 * does. Pair it with the exact figure in a `title`.
 */
export function formatCompact(amount: string, currency: string): string {
  const decimal = parseDecimal(amount, 'amount');
  if (BigInt(decimal.whole) < WHOLE_UNITS_FROM) return formatMoneyHuman(amount, currency);
  return `${compactFigure(decimal)} ${currency}`;
}

/** A fraction as a percentage with the precision it was given: "0.0478" → "4.78%", null → "—". */
export function formatShare(fraction: string | null): string {
  if (fraction === null) return NOT_AVAILABLE;
  const decimal = parseDecimal(fraction, 'share');
  const shiftedWhole = (decimal.whole + decimal.fraction.slice(0, 2).padEnd(2, '0')).replace(/^0+(?=[0-9])/, '');
  const remainingFraction = decimal.fraction.slice(2);
  return `${signPrefix(decimal)}${groupThousands(shiftedWhole)}${remainingFraction ? `.${remainingFraction}` : ''}%`;
}

/**
 * A count or measure with its unit: "975905.80" with "ha" → "975,905.8 ha". Trailing zeros of a
 * database decimal ("8.0000" dogs) say nothing to a reader and are dropped; no digit is rounded.
 */
export function formatQuantity(quantity: string, unit?: string): string {
  const decimal = parseDecimal(quantity, 'quantity');
  const fraction = decimal.fraction.replace(/0+$/, '');
  const figure = signPrefix(decimal) + groupThousands(decimal.whole) + (fraction ? `.${fraction}` : '');
  return unit ? `${figure} ${unit}` : figure;
}

/**
 * What a converted figure says beside it when its rate is stale (STALE_RATE_DAYS): value date
 * 2025-03-31 with a rate of 2024-10-11 → "rate of 2024-10-11, 171 days earlier"; null when the
 * rate is recent enough to say nothing.
 */
export function staleNote(valueDate: string, rateDate: string): string | null {
  const stale = staleSince(valueDate, rateDate);
  return stale ? `rate of ${stale.rateDate}, ${stale.staleDays} days earlier` : null;
}

/**
 * The time zone people read times in: ANAMA works in Baku (UTC+4, no daylight saving). Stored
 * times stay UTC; screens, print and the audit log show them here, and say so.
 */
export const APP_TIME_ZONE = 'Asia/Baku';
export const APP_TIME_ZONE_LABEL = 'Baku time';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2025-03-31" → "31 March 2025". A calendar date has no time zone: nothing is converted. */
export function formatDateWords(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  if (!match || !month) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(isoDate)}`);
  return `${Number(match[3])} ${month} ${match[1]}`;
}

const TIME_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: APP_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * An instant in words, to the minute, in the app's time zone: 2026-12-05T17:43:10.123Z →
 * "5 December 2026, 21:43". Seconds and milliseconds say nothing to a reader and are dropped.
 */
export function formatDateTime(instant: Date | string): string {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${JSON.stringify(instant)}`);
  const part = Object.fromEntries(TIME_PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  return `${formatDateWords(`${part.year}-${part.month}-${part.day}`)}, ${part.hour}:${part.minute}`;
}
