import { staleSince } from '../money/conversion';
import { isCurrencyCode, minorDigits } from '../money/iso4217';

/**
 * Formatting for people: screens, print and email. Every helper works on the decimal string of
 * the HTTP contract ("464117647.06") with string and BigInt arithmetic, so an exact figure is
 * never rounded by a float. Only `formatCompact` rounds, openly, for headlines; pages show the
 * exact `formatMoneyHuman` value beside it (in a `title`).
 */

/** Shown where a figure does not exist (no reported share, no target): never a made-up zero. */
export const NOT_AVAILABLE = '—';

export type MoneyStyle = 'code' | 'symbol';

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

/** Symbols where readers expect them; any other currency is written with its ISO code. */
const CURRENCY_SYMBOLS: Record<string, { symbol: string; placement: 'before' | 'after' }> = {
  USD: { symbol: '$', placement: 'before' },
  EUR: { symbol: '€', placement: 'before' },
  GBP: { symbol: '£', placement: 'before' },
  JPY: { symbol: '¥', placement: 'before' },
  // Azerbaijani usage writes the manat sign after the amount.
  AZN: { symbol: '₼', placement: 'after' },
};

/**
 * "4250000" with EUR → "4,250,000.00 EUR" (or "€4,250,000.00" with style "symbol").
 * Pads to the currency's minor digits; keeps any extra digits rather than rounding them away.
 */
export function formatMoneyHuman(amount: string, currency: string, style: MoneyStyle = 'code'): string {
  const decimal = parseDecimal(amount, 'amount');
  const digits = isCurrencyCode(currency) ? minorDigits(currency) : decimal.fraction.length;
  const fraction = decimal.fraction.padEnd(digits, '0');
  const figure = groupThousands(decimal.whole) + (fraction ? `.${fraction}` : '');
  const symbol = style === 'symbol' ? CURRENCY_SYMBOLS[currency] : undefined;
  if (!symbol) return `${signPrefix(decimal)}${figure} ${currency}`;
  return symbol.placement === 'before' ? `${signPrefix(decimal)}${symbol.symbol}${figure}` : `${signPrefix(decimal)}${figure} ${symbol.symbol}`;
}

const COMPACT_UNITS = [
  { suffix: 'K', power: 3 },
  { suffix: 'M', power: 6 },
  { suffix: 'B', power: 9 },
  { suffix: 'T', power: 12 },
] as const;

/** |decimal| / 10^(power - 1), rounded half up: the amount in tenths of the unit 10^power. */
function tenthsOfUnit(decimal: Decimal, power: number): bigint {
  const scaled = BigInt(decimal.whole + decimal.fraction);
  const divisor = 10n ** BigInt(decimal.fraction.length + power - 1);
  const quotient = scaled / divisor;
  return 2n * (scaled % divisor) >= divisor ? quotient + 1n : quotient;
}

/**
 * The amount in thousands, millions, billions or trillions with one decimal, rounded half up:
 * "464117647.06" → "464.1M". Below one thousand the exact figure is already short and is kept.
 */
export function formatCompactNumber(amount: string): string {
  const decimal = parseDecimal(amount, 'amount');
  const magnitude = decimal.whole.length - 1;
  let unitIndex = COMPACT_UNITS.findLastIndex((unit) => magnitude >= unit.power);
  if (unitIndex < 0) return signPrefix(decimal) + groupThousands(decimal.whole) + (decimal.fraction ? `.${decimal.fraction}` : '');
  let tenths = tenthsOfUnit(decimal, COMPACT_UNITS[unitIndex].power);
  // 999,960 rounds to 1000.0K; say 1.0M instead.
  if (tenths >= 10000n && unitIndex < COMPACT_UNITS.length - 1) {
    unitIndex += 1;
    tenths = tenthsOfUnit(decimal, COMPACT_UNITS[unitIndex].power);
  }
  return `${signPrefix(decimal)}${groupThousands((tenths / 10n).toString())}.${tenths % 10n}${COMPACT_UNITS[unitIndex].suffix}`;
}

/** "464117647.06" with USD → "464.1M USD"; "950.5" → "950.50 USD" (exact below one thousand). */
export function formatCompact(amount: string, currency: string): string {
  const decimal = parseDecimal(amount, 'amount');
  if (decimal.whole.length <= 3) return formatMoneyHuman(amount, currency);
  return `${formatCompactNumber(amount)} ${currency}`;
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
