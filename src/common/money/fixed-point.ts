import Decimal from 'decimal.js';
import { convertMinor, RateDecimal } from './conversion';
import { minorDigits } from './iso4217';
import type { Money } from './money';

/**
 * Fixed-point conversion for sums and ledgers converted by the hundred thousand, where decimal.js
 * per amount would take seconds. conversion.ts stays the rule; these give the same answers.
 */

/**
 * Exact-enough amounts as integers: minor units × 10^30. A ledger summed per currency and value
 * date is hundreds of thousands of conversions, and BigInt arithmetic keeps them fast. Each rate
 * is fixed to 30 decimals of a minor unit (error below 10^-30 per unit converted), so a sum of a
 * million pledges is within 10^-15 of a minor unit of the exact value before it is rounded once.
 */
export const FIXED_SCALE = 10n ** 30n;

/** The rate from minor units of `from` to minor units of `to`, scaled by FIXED_SCALE. */
export function fixedMinorRate(from: string, to: string, rate: Decimal.Value): bigint {
  const shift = minorDigits(to) - minorDigits(from);
  const scaled = new RateDecimal(rate).mul(new RateDecimal(10).pow(shift)).mul(FIXED_SCALE.toString());
  return BigInt(scaled.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

/** Rounds a fixed-point amount once, half to even, to whole minor units. */
export function roundFixed(fixed: bigint): bigint {
  const negative = fixed < 0n;
  const magnitude = negative ? -fixed : fixed;
  let quotient = magnitude / FIXED_SCALE;
  const twice = 2n * (magnitude % FIXED_SCALE);
  if (twice > FIXED_SCALE || (twice === FIXED_SCALE && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * `amount` converted to `to` with `fixedRate` (fixedMinorRate of `exactRate`), rounded half to
 * even: the answer convertMinor gives, at BigInt speed. The fixed rate is off by at most half a
 * unit of 10^-30 per minor unit, so only a product that close to a half could round the other way;
 * there convertMinor decides.
 */
export function convertFixed(amount: Money, to: string, fixedRate: bigint, exactRate: Decimal.Value): bigint {
  const product = amount.minor * fixedRate;
  const negative = product < 0n;
  const magnitude = negative ? -product : product;
  const whole = magnitude / FIXED_SCALE;
  const fromHalf = 2n * (magnitude - whole * FIXED_SCALE) - FIXED_SCALE;
  const margin = 2n * (amount.minor < 0n ? -amount.minor : amount.minor) + 2n;
  if (fromHalf <= margin && fromHalf >= -margin) return convertMinor(amount, to, exactRate).minor;
  // Clear of the half by more than the fixed rate's error: above it rounds up, below it down (a tie is never this far from it).
  const rounded = fromHalf > 0n ? whole + 1n : whole;
  return negative ? -rounded : rounded;
}
