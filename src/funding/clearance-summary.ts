import Decimal from 'decimal.js';

/** A clearance result as the summary needs it. */
export interface ClearanceRow {
  periodStart: string;
  periodEnd: string;
  district: string | null;
  operator: string | null;
  hectares: string | null;
  itemsFound: number | null;
}

export interface PeriodSummary<R extends ClearanceRow> {
  periodStart: string;
  periodEnd: string;
  /** Hectares cleared in the period (decimal string), or null when not recorded (a row that would count has no area). */
  hectares: string | null;
  itemsFound: number | null;
  /** Where the totals come from: the source's own programme figure, or the sum of its districts or operators. */
  basis: 'programme' | 'districts' | 'operators';
  byDistrict: R[];
  byOperator: R[];
}

/** Sums areas exactly (decimal strings, never floats); null when any row does not give one. */
function sumHectares(rows: readonly ClearanceRow[]): string | null {
  if (rows.some((r) => r.hectares === null)) return null;
  return rows.reduce((sum, r) => sum.plus(r.hectares as string), new Decimal(0)).toFixed(1, Decimal.ROUND_HALF_UP);
}

function sumItems(rows: readonly ClearanceRow[]): number | null {
  if (rows.some((r) => r.itemsFound === null)) return null;
  return rows.reduce((sum, r) => sum + (r.itemsFound as number), 0);
}

/**
 * Clearance by period, newest first: a period's totals are the source's programme figure when it
 * gives one, else the sum of its districts, else of its operators; its district and operator
 * rows are listed apart. A row that breaks down by both district and operator counts as a district row.
 */
export function clearanceByPeriod<R extends ClearanceRow>(rows: readonly R[]): PeriodSummary<R>[] {
  const periods = new Map<string, R[]>();
  for (const r of rows) {
    const key = `${r.periodStart}/${r.periodEnd}`;
    const list = periods.get(key);
    if (list) list.push(r);
    else periods.set(key, [r]);
  }
  return [...periods.values()]
    .map((list) => {
      const programme = list.find((r) => r.district === null && r.operator === null);
      const byDistrict = list.filter((r) => r.district !== null).sort((a, b) => (a.district as string).localeCompare(b.district as string));
      const byOperator = list
        .filter((r) => r.district === null && r.operator !== null)
        .sort((a, b) => (a.operator as string).localeCompare(b.operator as string));
      const counted = programme ? [programme] : byDistrict.length ? byDistrict : byOperator;
      return {
        periodStart: list[0].periodStart,
        periodEnd: list[0].periodEnd,
        hectares: programme ? programme.hectares : sumHectares(counted),
        itemsFound: programme ? programme.itemsFound : sumItems(counted),
        basis: programme ? ('programme' as const) : byDistrict.length ? ('districts' as const) : ('operators' as const),
        byDistrict,
        byOperator,
      };
    })
    .sort((a, b) => b.periodEnd.localeCompare(a.periodEnd) || b.periodStart.localeCompare(a.periodStart));
}
