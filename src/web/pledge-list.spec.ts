import { describe, it, expect } from '@jest/globals';
import { describeChanges } from './pledge-list';

describe('describeChanges', () => {
  it('names fields and stored codes in the words of the screens', () => {
    expect(
      describeChanges(
        { title: 'Old', valueDateBasis: 'source_date', priorityCodes: ['P05'], receiptExpectation: 'not_documented', inKind: null },
        { title: 'New', valueDateBasis: 'pledged_on', priorityCodes: ['P05', 'P12'], receiptExpectation: 'owed', inKind: null },
      ),
    ).toEqual([
      'Title: Old → New',
      "Value date taken from: the source document's date → the pledge date",
      'Priorities: P05 → P05, P12',
      'Receipt: not documented → owed (outstanding)',
    ]);
  });

  it('lists what a new record holds, leaving out empty values, and spells out nested ones', () => {
    expect(
      describeChanges(null, {
        amount: { amount: '10.00', currency: 'USD' },
        overDisbursementReason: null,
        inKind: { quantity: 8, upTo: false },
        priorityCodes: [],
      }),
    ).toEqual(['Amount: 10.00 USD', 'In kind: quantity 8, up to no']);
  });
});
