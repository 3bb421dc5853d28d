import { describe, it, expect } from '@jest/globals';
import { InvalidInputError } from '../common/errors/domain-errors';
import { spendObservation, VERSION_1_READING, type SpendDating } from './spend-observation';

function refusal(body: SpendDating): { field: string; message: string } | undefined {
  try {
    spendObservation(body);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.details[0];
    throw error;
  }
  return undefined;
}

describe('spendObservation', () => {
  it('takes a version 2 body as it is, with or without a period start', () => {
    expect(spendObservation({ asAt: '2025-03-31', basis: 'allocated', periodStart: '2020-11-10' })).toEqual({
      asAt: '2025-03-31',
      basis: 'allocated',
      periodStart: '2020-11-10',
      periodEnd: null,
      deprecated: null,
    });
    expect(spendObservation({ asAt: '2025-03-31', basis: 'spent', periodStart: null })).toMatchObject({ periodStart: null, deprecated: null });
    expect(spendObservation({ asAt: '2025-03-31', basis: 'spent', periodStart: '2025-03-31' })).toMatchObject({ periodStart: '2025-03-31' });
  });

  it('refuses a version 2 body without a basis, with a start after asAt, or with version 1 periodEnd, naming the field', () => {
    expect(refusal({ asAt: '2025-03-31' })?.field).toBe('basis');
    expect(refusal({ asAt: '2025-03-31', basis: 'spent', periodStart: '2025-04-01' })?.field).toBe('periodStart');
    expect(refusal({ asAt: '2025-03-31', basis: 'spent', periodEnd: '2025-03-31' })?.field).toBe('periodEnd');
  });

  it('reads a version 1 body as spend as at its period end and says so', () => {
    expect(spendObservation({ periodStart: '2025-01-01', periodEnd: '2025-03-31' })).toEqual({
      asAt: '2025-03-31',
      basis: 'spent',
      periodStart: '2025-01-01',
      periodEnd: '2025-03-31',
      deprecated: VERSION_1_READING,
    });
    expect(spendObservation({ periodStart: '2025-01-01', periodEnd: '2025-03-31', basis: 'allocated' }).basis).toBe('allocated');
    expect(refusal({ periodStart: '2025-11-10', periodEnd: '2025-05-06' })?.field).toBe('periodEnd');
  });

  it('refuses a body with no date at all, naming asAt', () => {
    expect(refusal({ basis: 'spent' })?.field).toBe('asAt');
    expect(refusal({ periodStart: '2020-11-10' })?.field).toBe('asAt');
  });
});
