import { describe, it, expect } from '@jest/globals';
import { RateDecimal, type RateQuote } from '../common/money/conversion';
import { allocateToTotal, earmarkPortion, FIXED_SCALE, fixedMinorRate, gapToTarget, projectClearanceCost, roundFixed, uniqueRates } from './funding-gap.calc';

const ecb: RateQuote = { base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11', source: 'ECB' };
const cbar: RateQuote = { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01', source: 'CBAR' };
const d = (v: string) => new RateDecimal(v);

const S = FIXED_SCALE;

describe('fixedMinorRate and roundFixed', () => {
  it('converts 789,000,000.00 AZN to 464,117,647.06 USD, rounding once half to even', () => {
    const fixed = 78_900_000_000n * fixedMinorRate('AZN', 'USD', d('1').div(cbar.rate));
    expect(fixed / S).toBe(46_411_764_705n);
    expect(roundFixed(fixed)).toBe(46_411_764_706n);
  });

  it('multiplies a forward rate exactly', () => {
    expect(425_000_000n * fixedMinorRate('EUR', 'USD', ecb.rate)).toBe(464_865_000n * S);
  });

  it('rounds halves to the even minor unit, and negative amounts symmetrically', () => {
    expect(roundFixed((5n * S) / 2n)).toBe(2n);
    expect(roundFixed((7n * S) / 2n)).toBe(4n);
    expect(roundFixed(-(5n * S) / 2n)).toBe(-2n);
    expect(roundFixed(S + S / 2n + 1n)).toBe(2n);
  });

  it('shifts between currencies with different minor digits', () => {
    expect(1000n * fixedMinorRate('JPY', 'USD', '0.0067')).toBe(670n * S);
  });
});

describe('allocateToTotal', () => {
  it('gives the leftover cents to the largest remainders so the parts add up to the total', () => {
    const third = (100n * S) / 3n;
    expect(allocateToTotal([third, third, third], 100n)).toEqual([34n, 33n, 33n]);
    expect(allocateToTotal([(106n * S) / 10n, (203n * S) / 10n, S / 10n], 31n)).toEqual([11n, 20n, 0n]);
  });

  it('takes cents back from the smallest remainders when the total is lower than the floors', () => {
    expect(allocateToTotal([(51n * S) / 10n, (59n * S) / 10n], 9n)).toEqual([4n, 5n]);
  });

  it('handles no parts, exact parts and a part a hair below zero', () => {
    expect(allocateToTotal([], 0n)).toEqual([]);
    expect(allocateToTotal([7n * S, 0n], 7n)).toEqual([7n, 0n]);
    expect(allocateToTotal([7n * S + 1n, -1n], 7n)).toEqual([7n, 0n]);
  });
});

describe('earmarkPortion', () => {
  it('uses stated shares in basis points', () => {
    expect(earmarkPortion(1_000_000n * S, 2500, 2)).toBe(250_000n * S);
  });

  it('splits evenly when no share is stated', () => {
    expect(earmarkPortion(100n * S, null, 4)).toBe(25n * S);
    expect(100n * S - 3n * earmarkPortion(100n * S, null, 3)).toBeLessThan(3n);
    expect(() => earmarkPortion(100n, null, 0)).toThrow(RangeError);
  });
});

describe('gapToTarget', () => {
  it('is the unfunded part, never negative', () => {
    expect(gapToTarget(1000n, 300n)).toBe(700n);
    expect(gapToTarget(1000n, 1500n)).toBe(0n);
  });
});

describe('projectClearanceCost', () => {
  const base = {
    currency: 'AZN',
    governmentMinor: 78_900_000_000n,
    government: { source: 'document 001', asAt: '2025-05-06', basis: 'allocated', periodStart: '2020-11-10' },
    contaminated: { hectares: '1166700.0', asOf: '2025-03-31', periodStart: null, source: 'document 002' },
    cleared: { hectares: '190794.2', asOf: '2025-03-31', periodStart: '2020-11-10', source: 'document 002' },
    workPlan: { hectares: '65092.6', asOf: '2025-01-01', periodStart: null, source: 'document 002', year: 2025 },
    asOfYear: 2025,
  };

  it('derives the figures of facts.md: about 4,135 AZN/ha, 4.04 billion AZN remaining, 269M AZN for the 2025 plan', () => {
    const p = projectClearanceCost(base);
    expect(p).not.toBeNull();
    expect(p?.costPerHectare).toEqual({ amount: '4135.35', currency: 'AZN' });
    expect(p?.remainingHectares).toBe('975905.8');
    // 78,900,000,000 × 975,905.8 / 190,794.2 minor units, rounded once.
    expect(p?.remainingCost).toEqual({ amount: '4035707983.79', currency: 'AZN' });
    expect(p?.workPlan).toEqual({ year: 2025, hectares: '65092.6', need: { amount: '269180412.19', currency: 'AZN' } });
    expect(p?.assumptions).toContain('The 2025 work plan (65,092.6 ha; document 002) is costed at the same cost per hectare.');
    expect(p?.assumptions[0]).toBe(
      'Cost per hectare = government allocation since 2020-11-10 (789,000,000.00 AZN, as at 2025-05-06; document 001) ÷ area cleared from 2020-11-10 to 2025-03-31 (190,794.2 ha; document 002).',
    );
    // 975,905.8 ÷ 65,092.6 = 14.99…
    expect(p?.yearsToFinish).toBe('15.0');
    expect(p?.assumptions).toContain('The government figure is an allocation, not audited spend: what was actually spent may be less.');
    expect(p?.assumptions).toContain('Spend and area are dated differently: the money is stated as at 2025-05-06, the area cleared to 2025-03-31.');
    expect(p?.assumptions.join(' ')).toMatch(/not clearance alone/);
    expect(p?.assumptions.join(' ')).toMatch(/operators funded outside this allocation/);
    expect(p?.assumptions.at(-1)).toBe(
      'At the pace of the 2025 work plan (65,092.6 ha a year), the remaining area takes about 15.0 years to clear; a faster or slower pace changes that in proportion.',
    );
  });

  it('says when the plan is from an earlier year, and when there is none', () => {
    expect(projectClearanceCost({ ...base, asOfYear: 2026 })?.assumptions.at(-2)).toBe(
      'No work plan is recorded for 2026, so the latest one, for 2025 (65,092.6 ha; document 002), is costed at the same cost per hectare.',
    );
    const none = projectClearanceCost({ ...base, workPlan: null });
    expect(none?.workPlan).toBeNull();
    expect(none?.yearsToFinish).toBeNull();
    expect(none?.assumptions.at(-1)).toBe("No work plan is recorded for 2025 or earlier, so this year's need and the years to finish are not estimated.");
  });

  it('gives no projection without spend or cleared area', () => {
    expect(projectClearanceCost({ ...base, governmentMinor: 0n })).toBeNull();
    expect(projectClearanceCost({ ...base, cleared: { ...base.cleared, hectares: '0' } })).toBeNull();
  });
});

describe('uniqueRates', () => {
  it('lists each published rate once, sorted by pair and date', () => {
    const older = { ...ecb, date: '2024-01-02', rate: '1.0850' };
    expect(uniqueRates([ecb, cbar, older, ecb])).toEqual([older, ecb, cbar]);
  });
});
