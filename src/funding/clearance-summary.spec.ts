import { describe, it, expect } from '@jest/globals';
import { clearanceByPeriod, type ClearanceRow } from './clearance-summary';

const row = (over: Partial<ClearanceRow>): ClearanceRow => ({
  periodStart: '2025-01-01',
  periodEnd: '2025-03-31',
  district: null,
  operator: null,
  hectares: null,
  itemsFound: null,
  ...over,
});

describe('clearanceByPeriod', () => {
  it('sums districts exactly when the source gives no programme figure', () => {
    const [q1] = clearanceByPeriod([
      row({ district: 'Fuzuli', hectares: '2099.4', itemsFound: 1258 }),
      row({ district: 'Aghdam', hectares: '1722.6', itemsFound: 1116 }),
      row({ district: 'Shusha', hectares: '0.1', itemsFound: 1 }),
    ]);
    expect(q1).toMatchObject({ hectares: '3822.1', itemsFound: 2375, basis: 'districts' });
    expect(q1.byDistrict.map((r) => r.district)).toEqual(['Aghdam', 'Fuzuli', 'Shusha']);
  });

  it("prefers the source's programme figure, and lists operators apart", () => {
    const [q1] = clearanceByPeriod([
      row({ hectares: '11002.4', itemsFound: 13956 }),
      row({ district: 'Aghdam', hectares: '1722.6', itemsFound: 1116 }),
      row({ operator: 'ANAMA', hectares: '5000.0', itemsFound: null }),
    ]);
    expect(q1).toMatchObject({ hectares: '11002.4', itemsFound: 13956, basis: 'programme' });
    expect(q1.byOperator.map((r) => r.operator)).toEqual(['ANAMA']);
  });

  it('leaves a total not recorded (null, never 0) when a counted row lacks it, and orders periods newest first', () => {
    const periods = clearanceByPeriod([
      row({ operator: 'ANAMA', hectares: '10.0', itemsFound: null }),
      row({ operator: 'MAG', hectares: '5.5', itemsFound: 3 }),
      row({ periodStart: '2025-04-01', periodEnd: '2025-06-30', hectares: null, itemsFound: 7 }),
    ]);
    expect(periods.map((p) => p.periodEnd)).toEqual(['2025-06-30', '2025-03-31']);
    expect(periods[0]).toMatchObject({ hectares: null, itemsFound: 7, basis: 'programme' });
    expect(periods[1]).toMatchObject({ hectares: '15.5', itemsFound: null, basis: 'operators' });
  });
});
