import { isCurrencyCode, minorDigits } from './iso4217';

/** Money in storage and in the domain: integer minor units and an ISO 4217 code. Never a float. */
export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/** Money at the HTTP edge: a decimal string with the currency's minor digits. */
export interface MoneyJson {
  amount: string;
  currency: string;
}

/** Largest accepted amount, in major units (10^13: more than any mine-action budget on record). */
export const MAX_MAJOR_AMOUNT = 10n ** 13n;

export class MoneyFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'MoneyFormatError';
  }
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a decimal string ("4250000.00") into minor units. Refuses everything a careless client
 * might send: numbers, signs, exponents, separators, more decimals than the currency has, zero
 * (unless allowed) and amounts over 10^13.
 */
export function parseAmount(raw: unknown, currency: string, field = 'amount', opts: { allowZero?: boolean } = {}): Money {
  if (typeof raw !== 'string') {
    throw new MoneyFormatError(field, `${field} must be a decimal string such as "1500000.00", not a JSON ${raw === null ? 'null' : typeof raw}`);
  }
  if (!isCurrencyCode(currency)) throw new MoneyFormatError('currency', `currency "${currency}" is not an ISO 4217 code`);
  const match = DECIMAL.exec(raw);
  if (!match) {
    throw new MoneyFormatError(field, `${field} must be a plain decimal such as "1500000.00": no sign, exponent, spaces or thousands separators`);
  }
  const [, whole, fraction = ''] = match;
  const digits = minorDigits(currency);
  if (fraction.length > digits) {
    throw new MoneyFormatError(field, `${field} has ${fraction.length} decimals but ${currency} has ${digits}`);
  }
  const wholePart = BigInt(whole);
  if (wholePart > MAX_MAJOR_AMOUNT || (wholePart === MAX_MAJOR_AMOUNT && /[1-9]/.test(fraction))) {
    throw new MoneyFormatError(field, `${field} must be at most ${MAX_MAJOR_AMOUNT} ${currency}`);
  }
  const minor = wholePart * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor === 0n && !opts.allowZero) throw new MoneyFormatError(field, `${field} must be more than zero`);
  return { minor, currency };
}

/** Minor units back to the decimal string of the contract ("4250000.00"). */
export function formatAmount(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

export function toJson(money: Money): MoneyJson {
  return { amount: formatAmount(money.minor, money.currency), currency: money.currency };
}

export function money(minor: bigint | number | string, currency: string): Money {
  return { minor: BigInt(minor), currency };
}

export function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new Error(`Currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor - b.minor, currency: a.currency };
}

export function zero(currency: string): Money {
  return { minor: 0n, currency };
}
