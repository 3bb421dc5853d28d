import { describe, it, expect } from '@jest/globals';
import { NotFoundError } from '../common/errors/domain-errors';
import type { Actor } from './actor';
import { canSeeDonor, NO_DONOR, visibleDonorFilter, visibleOr404 } from './donor-visibility';

const officer: Actor = { id: 1, email: 'o@x', role: 'officer', donorId: null, organisationId: 1 };
const donor: Actor = { id: 2, email: 'd@x', role: 'donor', donorId: 7, organisationId: 1 };

describe('donor visibility', () => {
  it('staff see every donor; a donor user only its own', () => {
    expect(canSeeDonor(officer, 3)).toBe(true);
    expect(canSeeDonor(donor, 7)).toBe(true);
    expect(canSeeDonor(donor, 3)).toBe(false);
  });

  it("answers another donor's record, and a missing one, with the same 404", () => {
    const pledge = { id: 5, donorId: 3 };
    expect(visibleOr404(officer, pledge, (p) => p.donorId, 'Pledge', 5)).toBe(pledge);
    expect(() => visibleOr404(donor, pledge, (p) => p.donorId, 'Pledge', 5)).toThrow(new NotFoundError('Pledge', 5));
    expect(() => visibleOr404(officer, null, (p: typeof pledge) => p.donorId, 'Pledge', 5)).toThrow(new NotFoundError('Pledge', 5));
  });

  it("filters a donor user's lists to its own donor, and to nothing when it asks for another", () => {
    expect(visibleDonorFilter(officer, undefined)).toBeUndefined();
    expect(visibleDonorFilter(officer, 3)).toBe(3);
    expect(visibleDonorFilter(donor, undefined)).toBe(7);
    expect(visibleDonorFilter(donor, 7)).toBe(7);
    expect(visibleDonorFilter(donor, 3)).toBe(NO_DONOR);
    expect(visibleDonorFilter({ ...donor, donorId: null }, undefined)).toBe(NO_DONOR);
  });
});
