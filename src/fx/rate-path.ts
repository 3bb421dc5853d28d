import type { RateLeg, RateQuote } from '../common/money/conversion';

/**
 * The conversion rule, written once: which published rates convert one currency to another on a
 * date. FxService (rates read per conversion) and RateTable (rates loaded once, for conversions by
 * the thousand) both answer with `chooseLegs`; they differ only in where a quote comes from.
 */

/** Pivots, in the order tried: EUR (ECB publishes against it), then USD (the AZN peg). */
export const PIVOTS: readonly string[] = ['EUR', 'USD'];

/** The currency chains a conversion may take, in the order tried: direct, through one pivot, through both. */
export function conversionPaths(from: string, to: string): string[][] {
  const paths: string[][] = [[from, to]];
  for (const p of PIVOTS) if (p !== from && p !== to) paths.push([from, p, to]);
  for (const p of PIVOTS) for (const q of PIVOTS) if (p !== q && ![p, q].includes(from) && ![p, q].includes(to)) paths.push([from, p, q, to]);
  return paths;
}

/** Every pair `chooseLegs(from, to, …)` may ask a quote of: each step of each path, both ways. */
export function candidatePairs(from: string, to: string): Array<{ base: string; quote: string }> {
  if (from === to) return [];
  const seen = new Map<string, { base: string; quote: string }>();
  for (const path of conversionPaths(from, to)) {
    for (let i = 0; i < path.length - 1; i++) {
      seen.set(`${path[i]}/${path[i + 1]}`, { base: path[i], quote: path[i + 1] });
      seen.set(`${path[i + 1]}/${path[i]}`, { base: path[i + 1], quote: path[i] });
    }
  }
  return [...seen.values()];
}

/** The latest published rate of `base/quote` on or before the conversion's date; null when there is none. */
export type QuoteOf = (base: string, quote: string) => RateQuote | null;

/** One step: the forward quote, unless only the inverse exists or the inverse was published later. */
function chooseLeg(from: string, to: string, quoteOf: QuoteOf): RateLeg | null {
  const forward = quoteOf(from, to);
  const inverse = quoteOf(to, from);
  if (forward && (!inverse || forward.date >= inverse.date)) return { quote: forward, inverted: false };
  if (inverse) return { quote: inverse, inverted: true };
  return null;
}

/**
 * The published rates that convert `from` to `to`: the first path of `conversionPaths` whose every
 * step has a quote. An empty list for the same currency; null when no path can be taken.
 */
export function chooseLegs(from: string, to: string, quoteOf: QuoteOf): RateLeg[] | null {
  if (from === to) return [];
  for (const path of conversionPaths(from, to)) {
    const legs: RateLeg[] = [];
    for (let i = 0; i < path.length - 1; i++) {
      const leg = chooseLeg(path[i], path[i + 1], quoteOf);
      if (!leg) break;
      legs.push(leg);
    }
    if (legs.length === path.length - 1) return legs;
  }
  return null;
}
