import { describe, it, expect } from '@jest/globals';
import { goodsText } from './goods';

const dogs = { unit: 'mine detection dogs', pledged: 0, delivered: 0, toCome: 0, toComeUpTo: false };

describe('goodsText', () => {
  it('says what was delivered and what more is pledged, with "up to" only on what is still open', () => {
    // Priority 7 on the report's data: Croatia 8 + MLI 12 delivered, MLI up to 30 more for 2025-2026.
    expect(goodsText({ ...dogs, pledged: 50, delivered: 20, toCome: 30, toComeUpTo: true })).toBe(
      '20 mine detection dogs delivered; up to 30 more pledged, not yet delivered',
    );
    expect(goodsText({ ...dogs, pledged: 8, delivered: 8 })).toBe('8 mine detection dogs delivered');
  });

  it('with nothing delivered, promises nothing about when', () => {
    expect(goodsText({ unit: 'demining teams', pledged: 4, delivered: 0, toCome: 4, toComeUpTo: false })).toBe('4 demining teams pledged, none delivered yet');
    expect(goodsText({ ...dogs, pledged: 30, toCome: 30, toComeUpTo: true })).toBe('up to 30 mine detection dogs pledged, none delivered yet');
  });

  it('groups thousands', () => {
    expect(goodsText({ unit: 'landmine markers', pledged: 12_000, delivered: 2_500, toCome: 9_500, toComeUpTo: false })).toBe(
      '2,500 landmine markers delivered; 9,500 more pledged, not yet delivered',
    );
  });
});
