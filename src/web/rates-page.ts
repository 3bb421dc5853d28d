/** The rates page's view model: coverage per pair, how old its newest rate is, and its gaps. */

export interface CoverageWithGaps {
  base: string;
  quote: string;
  first: string;
  last: string;
  days: number;
  gaps: Array<{ from: string; to: string; days: number }>;
}

/** A pair whose newest rate is older than this is flagged: a report dated today would use a stale rate. */
export const STALE_AFTER_DAYS = 7;
/** Gaps listed per pair; the rest are counted. */
const GAPS_SHOWN = 10;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function ratesPageModel(coverage: CoverageWithGaps[], today: string) {
  const pairs = coverage.map((c) => {
    const age = daysBetween(c.last, today);
    return {
      pair: `${c.base}/${c.quote}`,
      first: c.first,
      last: c.last,
      days: c.days,
      daysSinceLast: age,
      stale: age > STALE_AFTER_DAYS,
      gapCount: c.gaps.length,
      gaps: [...c.gaps].sort((a, b) => b.days - a.days).slice(0, GAPS_SHOWN),
      moreGaps: Math.max(c.gaps.length - GAPS_SHOWN, 0),
    };
  });
  return { title: 'Exchange rates', today, pairs, staleCount: pairs.filter((p) => p.stale).length, staleAfterDays: STALE_AFTER_DAYS };
}
