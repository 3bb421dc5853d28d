import { describe, it, expect } from '@jest/globals';
import { ratesPageModel } from './rates-page';

describe('ratesPageModel', () => {
  it('flags pairs without a rate in the last 7 days and lists the longest gaps first', () => {
    const model = ratesPageModel(
      [
        {
          base: 'EUR',
          quote: 'USD',
          first: '1999-01-04',
          last: '2024-10-11',
          days: 6600,
          gaps: [
            { from: '2001-12-21', to: '2001-12-27', days: 6 },
            { from: '2008-12-10', to: '2009-01-02', days: 23 },
          ],
        },
        { base: 'USD', quote: 'AZN', first: '2024-10-10', last: '2024-10-14', days: 2, gaps: [] },
      ],
      '2024-10-18',
    );
    expect(model.pairs.map((p) => [p.pair, p.daysSinceLast, p.stale, p.gapCount])).toEqual([
      ['EUR/USD', 7, false, 2],
      ['USD/AZN', 4, false, 0],
    ]);
    expect(model.pairs[0].gaps.map((g) => g.days)).toEqual([23, 6]);
    expect(
      ratesPageModel(model.pairs.length ? [{ base: 'EUR', quote: 'USD', first: '2024-10-01', last: '2024-10-10', days: 8, gaps: [] }] : [], '2024-10-18')
        .staleCount,
    ).toBe(1);
  });
});
