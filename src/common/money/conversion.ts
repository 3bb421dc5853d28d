import Decimal from 'decimal.js';
import { minorDigits } from './iso4217';
import type { Money } from './money';

/**
 * Exchange-rate arithmetic. One rounding rule, everywhere: a converted amount is computed at full
 * precision (40 significant digits) and rounded once, half to even, to the target currency's minor
 * unit. Cross rates are never rounded on the way: the legs are multiplied exactly.
 */
export const RateDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

/** One published rate: 1 `base` = `rate` `quote` on `date`, as stated by `source`. */
export interface RateQuote {
  base: string;
  quote: string;
  rate: string;
  date: string;
  source: string;
}

/** A conversion path: each leg used forward (base→quote) or inverted (quote→base). */
export interface RateLeg {
  quote: RateQuote;
  inverted: boolean;
}

export function effectiveRate(legs: readonly RateLeg[]): Decimal {
  let rate = new RateDecimal(1);
  for (const leg of legs) {
    const r = new RateDecimal(leg.quote.rate);
    rate = leg.inverted ? rate.div(r) : rate.mul(r);
  }
  return rate;
}

/** Converts minor units with a rate (target per source unit), rounding half to even once. */
export function convertMinor(amount: Money, to: string, rate: Decimal.Value): Money {
  const fromScale = new RateDecimal(10).pow(minorDigits(amount.currency));
  const toScale = new RateDecimal(10).pow(minorDigits(to));
  const exact = new RateDecimal(amount.minor.toString()).div(fromScale).mul(rate).mul(toScale);
  const rounded = exact.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return { minor: BigInt(rounded.toFixed(0)), currency: to };
}

/** A rate as the contract prints it: a plain decimal string, trailing zeros trimmed, at most 10 places. */
export function formatRate(rate: Decimal): string {
  return rate.toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN).toFixed();
}

/** Share a/b as a decimal fraction string rounded half-even to `places` (0.0478 for 4.78%). */
export function shareOf(part: bigint, whole: bigint, places = 4): string | null {
  if (whole === 0n) return null;
  return new RateDecimal(part.toString()).div(whole.toString()).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN).toFixed(places);
}

const RATE = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,12})?$/;

/** Validates a rate string from a client or a feed: positive, plain decimal, at most 12 decimals. */
export function isValidRate(raw: unknown): boolean {
  return typeof raw === 'string' && RATE.test(raw) && !new RateDecimal(raw).isZero();
}
