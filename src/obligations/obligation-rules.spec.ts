import { describe, expect, it } from '@jest/globals';
import { isOverdue, stateOf, weekStart } from './obligation-rules';

describe('obligation rules', () => {
  it('is open until submitted or waived, and overdue only after its due day', () => {
    const open = { submittedOn: null, waivedReason: null, dueOn: '2026-12-04' };
    expect(stateOf(open)).toBe('open');
    expect(isOverdue(open, '2026-12-04')).toBe(false);
    expect(isOverdue(open, '2026-12-05')).toBe(true);
    expect(isOverdue({ ...open, submittedOn: '2026-12-05' }, '2026-12-06')).toBe(false);
    expect(stateOf({ ...open, waivedReason: 'agreed with the donor' })).toBe('waived');
  });

  it('groups by the Monday of the ISO week', () => {
    expect(weekStart('2026-12-05')).toBe('2026-11-30');
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
    expect(weekStart('2027-01-03')).toBe('2026-12-28');
  });
});
