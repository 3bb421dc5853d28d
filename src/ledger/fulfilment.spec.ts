import { describe, expect, it } from '@jest/globals';
import { FulfilmentInput, fulfilmentOf, receiptOf, receiptStatusOf, splitByShares } from './fulfilment';

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

describe('receiptStatusOf', () => {
  const open = { cancelled: false, balanceLeft: true, expectation: 'not_documented' as const, dueOn: null };

  it('calls a balance nobody has said anything about not documented, however old', () => {
    expect(receiptStatusOf(open, '2025-03-31')).toBe('not_documented');
    expect(receiptStatusOf(open, '2099-12-31')).toBe('not_documented');
  });

  it('calls it outstanding when an officer says it is owed, with or without a date', () => {
    expect(receiptStatusOf({ ...open, expectation: 'owed' }, '2025-03-31')).toBe('outstanding');
    expect(receiptStatusOf({ ...open, expectation: 'owed', dueOn: '2026-12-31' }, '2025-03-31')).toBe('outstanding');
  });

  it('calls it outstanding only once the promised date has passed: not on the day itself', () => {
    expect(receiptStatusOf({ ...open, dueOn: '2026-12-31' }, '2026-12-30')).toBe('not_documented');
    expect(receiptStatusOf({ ...open, dueOn: '2026-12-31' }, '2026-12-31')).toBe('not_documented');
    expect(receiptStatusOf({ ...open, dueOn: '2026-12-31' }, '2027-01-01')).toBe('outstanding');
  });

  it('calls a pledge with no balance left received, whatever was promised', () => {
    expect(receiptStatusOf({ ...open, balanceLeft: false, expectation: 'owed', dueOn: '2024-01-01' }, '2025-03-31')).toBe('received');
  });

  it('puts cancellation above everything, a balance or a passed date included', () => {
    expect(receiptStatusOf({ ...open, cancelled: true, expectation: 'owed', dueOn: '2024-01-01' }, '2025-03-31')).toBe('cancelled');
    expect(receiptStatusOf({ ...open, cancelled: true, balanceLeft: false }, '2025-03-31')).toBe('cancelled');
  });
});

describe('receiptOf', () => {
  const terms = { expectation: 'not_documented' as const, dueOn: null };

  it('puts a cash balance nobody has said is owed under not documented, none of it outstanding (UAE 5M USD)', () => {
    expect(receiptOf({ ...cash({ amountMinor: 500000000n }), ...terms }, '2025-03-31')).toEqual({
      status: 'not_documented',
      outstandingMinor: 0n,
      outstandingQuantity: null,
      notDocumentedMinor: 500000000n,
      notDocumentedQuantity: null,
    });
  });

  it('puts the balance left after a part payment under outstanding when it is owed', () => {
    expect(receiptOf({ ...cash({ disbursedMinor: 100000000n }), expectation: 'owed', dueOn: null }, '2025-03-31')).toEqual({
      status: 'outstanding',
      outstandingMinor: 200000000n,
      outstandingQuantity: null,
      notDocumentedMinor: 0n,
      notDocumentedQuantity: null,
    });
  });

  it('counts goods in units: MLI up to 30 dogs due by 2026-12-31, not documented until then, outstanding after', () => {
    const mli = { ...dogs(), expectation: 'not_documented' as const, dueOn: '2026-12-31' };
    expect(receiptOf(mli, '2025-03-31')).toEqual({
      status: 'not_documented',
      outstandingMinor: null,
      outstandingQuantity: 0,
      notDocumentedMinor: null,
      notDocumentedQuantity: 30,
    });
    expect(receiptOf(mli, '2027-01-01')).toMatchObject({ status: 'outstanding', outstandingQuantity: 30, notDocumentedQuantity: 0 });
  });

  it('leaves nothing outstanding or undocumented once everything arrived (Saudi Arabia, Croatia)', () => {
    expect(receiptOf({ ...cash({ disbursedMinor: 300000000n }), ...terms }, '2025-03-31')).toMatchObject({
      status: 'received',
      outstandingMinor: 0n,
      notDocumentedMinor: 0n,
    });
    expect(receiptOf({ ...dogs({ quantity: 8, deliveredQuantity: 8 }), ...terms }, '2025-03-31')).toMatchObject({
      status: 'received',
      outstandingQuantity: 0,
      notDocumentedQuantity: 0,
    });
  });

  it('gives a cancelled pledge no outstanding and no undocumented balance', () => {
    expect(receiptOf({ ...cash({ cancelled: true, disbursedMinor: 100000000n }), expectation: 'owed', dueOn: '2024-01-01' }, '2025-03-31')).toEqual({
      status: 'cancelled',
      outstandingMinor: 0n,
      outstandingQuantity: null,
      notDocumentedMinor: 0n,
      notDocumentedQuantity: null,
    });
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
