import type { SqlDialect } from '../database/sql-dialect';

/** What a pledge's value date was taken from. */
export type ValueDateBasis = 'pledged_on' | 'source_date' | 'recorded_on';

/**
 * The pledge value-date rule, written once: the first of these that is set. The last, the UTC
 * day the pledge was recorded, always is. `pledgeValueDate` (TypeScript) and `pledgeValueDateSql`
 * are both read off this list, so conversions, the pages and the funding engine's SQL agree.
 */
const VALUE_DATE_SOURCES = [
  { basis: 'pledged_on', property: 'pledgedOn', column: 'pledged_on', day: false },
  { basis: 'source_date', property: 'sourceDate', column: 'source_date', day: false },
  { basis: 'recorded_on', property: 'createdAt', column: 'created_at', day: true },
] as const;

/** A pledge's dates as the rule reads them: a day (`YYYY-MM-DD`) or null, and when it was recorded. */
export interface PledgeDates {
  pledgedOn: string | null;
  sourceDate: string | null;
  createdAt: Date | string;
}

export function pledgeValueDate(p: PledgeDates): { valueDate: string; valueDateBasis: ValueDateBasis } {
  for (const source of VALUE_DATE_SOURCES) {
    const value = p[source.property];
    if (value !== null && value !== '') return { valueDate: source.day ? utcDayOf(value) : String(value), valueDateBasis: source.basis };
  }
  throw new Error('A pledge always has the day it was recorded');
}

/** The same rule in SQL, on the pledges table aliased `alias`. */
export function pledgeValueDateSql(dialect: SqlDialect, alias: string): string {
  const parts = VALUE_DATE_SOURCES.map((s) => (s.day ? dialect.utcDay(`${alias}.${s.column}`) : `${alias}.${s.column}`));
  return `COALESCE(${parts.join(', ')})`;
}

function utcDayOf(value: Date | string): string {
  return new Date(value).toISOString().slice(0, 10);
}
