import Decimal from 'decimal.js';
import { daysBetween } from '../dates';
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

/** A conversion whose oldest rate is more than this many days before its value date is stale, and says so. */
export const STALE_RATE_DAYS = 7;

/** How old the rate behind a stale conversion is: the contract's `rateDate` and `staleDays`. */
export interface StaleRate {
  /** The oldest published date among the rates used. */
  rateDate: string;
  /** Whole days from `rateDate` to the value date; always more than STALE_RATE_DAYS. */
  staleDays: number;
}

/** The staleness of a rate published on `rateDate` used at `valueDate`; null when it is recent enough. */
export function staleSince(valueDate: string, rateDate: string): StaleRate | null {
  const staleDays = daysBetween(rateDate, valueDate);
  return staleDays > STALE_RATE_DAYS ? { rateDate, staleDays } : null;
}

/** The staleness of a conversion at `valueDate` through `legs`: a chain is as old as its oldest rate. Null when none is stale. */
export function staleness(valueDate: string, legs: readonly RateQuote[]): StaleRate | null {
  if (legs.length === 0) return null;
  let oldest = legs[0].date;
  for (const leg of legs) if (leg.date < oldest) oldest = leg.date;
  return staleSince(valueDate, oldest);
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
