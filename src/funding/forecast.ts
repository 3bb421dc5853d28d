import { quarterOf } from '../ledger/instalment-rules';

/** Money still expected from one instalment: minor units of its pledge's currency, and the date the pledge's money converts at. */
export interface ExpectedPart {
  dueOn: string;
  currency: string;
  valueDate: string;
  expectedMinor: bigint;
}

/** What one quarter expects in one currency at one value date: converted once, as the engine converts a pledge. */
export interface ForecastGroup {
  quarter: string;
  currency: string;
  valueDate: string;
  expectedMinor: bigint;
}

/**
 * The parts grouped by quarter of their due date, then by currency and value date, quarters in
 * order; parts expecting nothing are left out. Each group is converted once, so a quarter's figure
 * is the sum of its groups' conversions.
 */
export function forecastGroups(parts: readonly ExpectedPart[]): ForecastGroup[] {
  const groups = new Map<string, ForecastGroup>();
  for (const part of parts) {
    if (part.expectedMinor <= 0n) continue;
    const quarter = quarterOf(part.dueOn);
    const key = `${quarter}|${part.currency}|${part.valueDate}`;
    const group = groups.get(key) ?? { quarter, currency: part.currency, valueDate: part.valueDate, expectedMinor: 0n };
    group.expectedMinor += part.expectedMinor;
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) => a.quarter.localeCompare(b.quarter) || a.currency.localeCompare(b.currency) || a.valueDate.localeCompare(b.valueDate),
  );
}
