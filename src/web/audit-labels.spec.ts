import { describe, it, expect } from '@jest/globals';
import { actionLabel, describeChanges } from './audit-labels';

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

describe('actionLabel', () => {
  it('calls a receipt of goods a delivery, and a receipt of money a disbursement', () => {
    expect(actionLabel('disbursement.create', { quantity: 5, amount: null })).toBe('Delivery recorded');
    expect(actionLabel('disbursement.create', { quantity: null, amount: '500000.00' })).toBe('Disbursement recorded');
    expect(actionLabel('pledge.delivery_recorded')).toBe('Delivery recorded');
    expect(actionLabel('pledge.cancel')).toBe('Pledge cancelled');
    expect(actionLabel('something.new')).toBe('something.new');
  });
});

describe('describeChanges with names', () => {
  const names = { donor: (id: number) => (id === 7 ? 'Norway' : undefined), pledge: (id: number) => (id === 12 ? 'Clearance in Tartar' : undefined) };

  it('names the donor and pledge an id stands for, and says when it cannot', () => {
    expect(describeChanges(null, { donorId: 7, pledgeId: 12 }, names)).toEqual(['Donor: Norway', 'Pledge: Clearance in Tartar']);
    expect(describeChanges(null, { donorId: 8 }, names)).toEqual(['Donor: no. 8']);
  });

  it('reads a receipt amount with its currency as one exact figure, and a time in words in Baku time', () => {
    expect(describeChanges(null, { id: 3, amount: '250000.50', currency: 'EUR', quantity: null, cancelledAt: '2025-06-02T09:15:42.120Z' })).toEqual([
      'Amount: 250,000.50 EUR',
      'Cancelled at: 2 June 2025, 13:15',
    ]);
  });
});
