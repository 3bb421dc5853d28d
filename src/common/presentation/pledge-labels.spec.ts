import { describe, it, expect } from '@jest/globals';
import { pledgeStatusFilterLabel, pledgeStatusLabel } from './pledge-labels';

describe('pledge status labels', () => {
  it('says received for money and delivered for goods', () => {
    expect(pledgeStatusLabel('fully_disbursed', 'cash')).toBe('Fully received');
    expect(pledgeStatusLabel('fully_disbursed', 'in_kind')).toBe('Fully delivered');
    expect(pledgeStatusLabel('partly_disbursed', 'in_kind')).toBe('Partly delivered');
    expect(pledgeStatusLabel('committed', 'in_kind')).toBe('Committed');
  });

  it('names both in the filter', () => {
    expect(pledgeStatusFilterLabel('fully_disbursed')).toBe('Fully received / delivered');
    expect(pledgeStatusFilterLabel('cancelled')).toBe('Cancelled');
  });
});
