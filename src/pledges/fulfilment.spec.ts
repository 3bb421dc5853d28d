import { describe, expect, it } from '@jest/globals';
import { FulfilmentInput, fulfilmentOf, splitByShares } from './fulfilment';

const cash = (over: Partial<FulfilmentInput> = {}): FulfilmentInput => ({
  kind: 'cash',
  commitment: 'committed',
  cancelled: false,
  amountMinor: 300000000n,
  disbursedMinor: 0n,
  quantity: null,
  deliveredQuantity: 0,
  ...over,
});
const dogs = (over: Partial<FulfilmentInput> = {}): FulfilmentInput => ({
  kind: 'in_kind',
  commitment: 'committed',
  cancelled: false,
  amountMinor: null,
  disbursedMinor: 0n,
  quantity: 30,
  deliveredQuantity: 0,
  ...over,
});

describe('fulfilmentOf', () => {
  it('keeps the stated commitment until something arrives', () => {
    expect(fulfilmentOf(cash({ commitment: 'announced' }))).toEqual({ status: 'announced', outstandingMinor: 300000000n, outstandingQuantity: null });
    expect(fulfilmentOf(cash()).status).toBe('committed');
  });

  it('derives partly and fully disbursed from the money that arrived', () => {
    expect(fulfilmentOf(cash({ disbursedMinor: 100000000n }))).toEqual({ status: 'partly_disbursed', outstandingMinor: 200000000n, outstandingQuantity: null });
    expect(fulfilmentOf(cash({ disbursedMinor: 300000000n }))).toEqual({ status: 'fully_disbursed', outstandingMinor: 0n, outstandingQuantity: null });
  });

  it('never shows a negative outstanding balance after an over-disbursement', () => {
    expect(fulfilmentOf(cash({ disbursedMinor: 300000001n }))).toEqual({ status: 'fully_disbursed', outstandingMinor: 0n, outstandingQuantity: null });
  });

  it('counts in-kind deliveries in units: MLI 12 of up to 30 dogs', () => {
    expect(fulfilmentOf(dogs({ deliveredQuantity: 12 }))).toEqual({ status: 'partly_disbursed', outstandingMinor: null, outstandingQuantity: 18 });
    expect(fulfilmentOf(dogs({ quantity: 8, deliveredQuantity: 8 })).status).toBe('fully_disbursed');
  });

  it('puts cancellation above everything', () => {
    expect(fulfilmentOf(cash({ cancelled: true, disbursedMinor: 100000000n })).status).toBe('cancelled');
    expect(fulfilmentOf(dogs({ cancelled: true })).status).toBe('cancelled');
  });
});

describe('splitByShares', () => {
  it('splits evenly when no shares are stated, the remainder to the first', () => {
    expect(splitByShares(100n, [null, null, null])).toEqual([34n, 33n, 33n]);
  });

  it('splits by stated basis points, losing nothing', () => {
    const parts = splitByShares(425000001n, [6000, 4000]);
    expect(parts).toEqual([255000001n, 170000000n]);
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(425000001n);
  });

  it('returns nothing for a pledge with no earmark', () => {
    expect(splitByShares(100n, [])).toEqual([]);
  });
});
