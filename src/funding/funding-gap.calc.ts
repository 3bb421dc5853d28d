import Decimal from 'decimal.js';
import { RateDecimal, type RateQuote } from '../common/money/conversion';
import { formatAmount } from '../common/money/money';
import { FIXED_SCALE, fixedMinorRate, roundFixed } from '../common/money/fixed-point';

export { FIXED_SCALE, fixedMinorRate, roundFixed };

/**
 * The funding-gap arithmetic, free of Nest and the database. Amounts arrive as integer minor
 * units summed in SQL; every reported figure is computed exactly (40 significant digits) and
 * rounded once, half to even, to the display currency's minor unit, as conversion.ts does.
 */

/**
 * Rounds fixed-point parts so they add up to `total` exactly (largest remainder): a breakdown by
 * donor or priority then sums to the headline figure it breaks down, and no cent appears or
 * vanishes. Each part moves by less than one minor unit when `total` is the rounded sum of the parts.
 */
export function allocateToTotal(parts: readonly bigint[], total: bigint): bigint[] {
  const floorOf = (p: bigint) => (p >= 0n ? p / FIXED_SCALE : -((-p + FIXED_SCALE - 1n) / FIXED_SCALE));
  const floors = parts.map(floorOf);
  let remaining = total - floors.reduce((a, b) => a + b, 0n);
  const order = parts
    .map((p, index) => ({ index, remainder: p - floors[index] * FIXED_SCALE }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  const result = [...floors];
  if (order.length === 0) return result;
  for (let i = 0; remaining !== 0n; i = (i + 1) % order.length) {
    const step = remaining > 0n ? 1n : -1n;
    result[order[remaining > 0n ? i : order.length - 1 - i].index] += step;
    remaining -= step;
  }
  return result;
}

/**
 * The part of an (already converted, fixed-point) pledge sum that goes to one of its priorities:
 * its stated share in basis points or, when the pledge states none, an even split across its
 * `earmarkCount` priorities.
 */
export function earmarkPortion(amount: bigint, shareBasisPoints: number | null, earmarkCount: number): bigint {
  if (shareBasisPoints !== null) return (amount * BigInt(shareBasisPoints)) / 10_000n;
  if (earmarkCount < 1) throw new RangeError('An earmarked pledge has at least one priority');
  return amount / BigInt(earmarkCount);
}

/** Rounds exact (Decimal) minor units once, half to even. */
export function roundMinor(exact: Decimal): bigint {
  return BigInt(exact.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

/** a − b, never below zero: the unfunded part of a target. */
export function gapToTarget(target: bigint, pledged: bigint): bigint {
  return target > pledged ? target - pledged : 0n;
}

export interface ClearanceFigure {
  hectares: string;
  asOf: string;
  periodStart: string | null;
  source: string;
}

export interface WorkPlanFigure extends ClearanceFigure {
  year: number;
}

export interface ProjectionInput {
  currency: string;
  /** Government spend to date in minor units of `currency`, as on the page. */
  governmentMinor: bigint;
  /** The observation behind it: the document, the date it is stated as at, allocated or spent, and since when. */
  government: { source: string; asAt: string; basis: string; periodStart: string | null };
  contaminated: ClearanceFigure;
  cleared: ClearanceFigure;
  /** The plan of the as-of year, or the latest earlier one. */
  workPlan: WorkPlanFigure | null;
  asOfYear: number;
}

export interface Projection {
  costPerHectare: { amount: string; currency: string };
  clearedHectares: string;
  contaminatedHectares: string;
  remainingHectares: string;
  remainingCost: { amount: string; currency: string };
  workPlan: { year: number; hectares: string; need: { amount: string; currency: string } } | null;
  /** Remaining area ÷ the work plan's yearly hectares, one decimal; null without a work plan. */
  yearsToFinish: string | null;
  assumptions: string[];
}

/** "1166700.0" → "1,166,700.0": assumptions are read by people. */
function groupedHectares(hectares: Decimal): string {
  const [whole, fraction] = hectares.toFixed(1).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction} ha`;
}

function groupedMoney(minor: bigint, currency: string): string {
  const [whole, fraction] = formatAmount(minor, currency).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction ? `.${fraction}` : ''} ${currency}`;
}

/**
 * Cost per hectare so far and what the rest would cost at that rate. Derived, never a fact: the
 * assumptions travel with the numbers. Costs are computed from the exact ratio spend ÷ area, not
 * from the rounded cost per hectare, so the two roundings never compound.
 */
export function projectClearanceCost(input: ProjectionInput): Projection | null {
  const cleared = new RateDecimal(input.cleared.hectares);
  const contaminated = new RateDecimal(input.contaminated.hectares);
  if (cleared.lte(0) || input.governmentMinor <= 0n) return null;
  const perHectare = new RateDecimal(input.governmentMinor.toString()).div(cleared);
  const remaining = Decimal.max(contaminated.minus(cleared), 0);
  const costPerHectare = roundMinor(perHectare);
  const remainingCost = roundMinor(perHectare.mul(remaining));
  const money = (minor: bigint) => ({ amount: formatAmount(minor, input.currency), currency: input.currency });
  const clearedSince = input.cleared.periodStart ? ` cleared from ${input.cleared.periodStart} to ${input.cleared.asOf}` : ` cleared to ${input.cleared.asOf}`;

  const g = input.government;
  const since = g.periodStart ? ` since ${g.periodStart}` : '';
  const assumptions = [
    `Cost per hectare = government ${g.basis === 'allocated' ? 'allocation' : 'spend'}${since} (${groupedMoney(input.governmentMinor, input.currency)}, as at ${g.asAt}; ${g.source}) ÷ area${clearedSince} (${groupedHectares(cleared)}; ${input.cleared.source}).`,
    g.basis === 'allocated'
      ? 'The government figure is an allocation, not audited spend: what was actually spent may be less.'
      : 'The government figure is reported spend; it has not been checked against audited accounts here.',
    'It pays for all demining activity (survey, clearance, risk education, victim assistance, the agency itself), not clearance alone, so the cost per hectare overstates what clearing one hectare costs.',
    'The area cleared includes work by operators funded outside this allocation (foreign-funded and commercial operators), which understates the cost per hectare.',
    `Spend and area are dated differently: the money is stated as at ${g.asAt}, the area cleared to ${input.cleared.asOf}.`,
    'Only government money is counted as clearance cost: the sources do not say how much foreign money paid for clearance itself.',
    `Remaining area = contaminated area (${groupedHectares(contaminated)} as of ${input.contaminated.asOf}; ${input.contaminated.source}) − area cleared.`,
    'Every remaining hectare costs what the cleared ones cost on average: no inflation, and no change in terrain, contamination density, methods or productivity.',
    'Costs are rounded once, from the exact ratio of spend to area; they are estimates to plan with, not facts.',
  ];
  let workPlan: Projection['workPlan'] = null;
  let yearsToFinish: string | null = null;
  if (input.workPlan) {
    const planHectares = new RateDecimal(input.workPlan.hectares);
    workPlan = { year: input.workPlan.year, hectares: planHectares.toFixed(1), need: money(roundMinor(perHectare.mul(planHectares))) };
    const plan = `${groupedHectares(planHectares)}; ${input.workPlan.source}`;
    assumptions.push(
      input.workPlan.year === input.asOfYear
        ? `The ${input.workPlan.year} work plan (${plan}) is costed at the same cost per hectare.`
        : `No work plan is recorded for ${input.asOfYear}, so the latest one, for ${input.workPlan.year} (${plan}), is costed at the same cost per hectare.`,
    );
    if (planHectares.gt(0)) {
      yearsToFinish = remaining.div(planHectares).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toFixed(1);
      assumptions.push(
        `At the pace of the ${input.workPlan.year} work plan (${groupedHectares(planHectares)} a year), the remaining area takes about ${yearsToFinish} years to clear; a faster or slower pace changes that in proportion.`,
      );
    }
  } else {
    assumptions.push(`No work plan is recorded for ${input.asOfYear} or earlier, so this year's need and the years to finish are not estimated.`);
  }
  return {
    costPerHectare: money(costPerHectare),
    clearedHectares: cleared.toFixed(1),
    contaminatedHectares: contaminated.toFixed(1),
    remainingHectares: remaining.toFixed(1),
    remainingCost: money(remainingCost),
    workPlan,
    yearsToFinish,
    assumptions,
  };
}

/** One key for a published rate, so a rate used by many conversions is listed once. */
export function uniqueRates(rates: Iterable<RateQuote>): RateQuote[] {
  const byKey = new Map<string, RateQuote>();
  for (const r of rates) byKey.set(`${r.base}/${r.quote}@${r.date}`, r);
  return [...byKey.values()].sort((a, b) => a.base.localeCompare(b.base) || a.quote.localeCompare(b.quote) || a.date.localeCompare(b.date));
}
