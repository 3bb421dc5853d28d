import { describe, expect, it } from '@jest/globals';
import { forecastGroups } from './forecast';

describe('forecastGroups', () => {
  it('groups what is still expected by quarter, currency and value date, in quarter order, leaving out what expects nothing', () => {
    expect(
      forecastGroups([
        { dueOn: '2026-07-01', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 5n },
        { dueOn: '2026-03-31', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 100n },
        { dueOn: '2026-01-01', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 50n },
        { dueOn: '2026-02-15', currency: 'USD', valueDate: '2024-06-03', expectedMinor: 7n },
        { dueOn: '2026-02-15', currency: 'EUR', valueDate: '2024-06-03', expectedMinor: 3n },
        { dueOn: '2025-12-31', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 0n },
      ]),
    ).toEqual([
      { quarter: '2026-Q1', currency: 'EUR', valueDate: '2024-06-03', expectedMinor: 3n },
      { quarter: '2026-Q1', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 150n },
      { quarter: '2026-Q1', currency: 'USD', valueDate: '2024-06-03', expectedMinor: 7n },
      { quarter: '2026-Q3', currency: 'EUR', valueDate: '2025-01-10', expectedMinor: 5n },
    ]);
  });
});
