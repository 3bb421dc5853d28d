import { pastPledgeState } from './known-on';

describe('pastPledgeState', () => {
  it('reads a pledge view back into the columns a change can touch, shares in basis points', () => {
    const state = pastPledgeState(7, {
      title: 'Demining support',
      commitment: 'committed',
      channel: 'un_agency',
      channelName: 'UNDP',
      instrument: null,
      pledgedOn: '2025-01-16',
      sourceDate: null,
      receiptExpectation: 'owed',
      receiptDueOn: '2025-06-30',
      source: '002: report',
      notes: null,
      cancelledAt: null,
      priorityCodes: ['P01', 'P07'],
      priorityShares: ['66.67', '33.33'],
    });
    expect(state).toEqual({
      id: 7,
      title: 'Demining support',
      commitment: 'committed',
      channel: 'un_agency',
      channelName: 'UNDP',
      instrument: null,
      pledgedOn: '2025-01-16',
      sourceDate: null,
      receiptExpectation: 'owed',
      receiptDueOn: '2025-06-30',
      source: '002: report',
      notes: null,
      cancelledAt: null,
      earmarks: [
        { priorityCode: 'P01', shareBasisPoints: 6667 },
        { priorityCode: 'P07', shareBasisPoints: 3333 },
      ],
    });
  });

  it('keeps an even split (no shares) and a cancellation time', () => {
    const state = pastPledgeState(3, {
      title: 'x',
      commitment: 'announced',
      priorityCodes: ['P02'],
      priorityShares: null,
      cancelledAt: '2026-01-02T03:04:05.000Z',
    });
    expect(state.earmarks).toEqual([{ priorityCode: 'P02', shareBasisPoints: null }]);
    expect(state.cancelledAt?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });
});
