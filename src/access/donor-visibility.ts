import { NotFoundError } from '../common/errors/domain-errors';
import type { Actor } from './actor';

/**
 * The one rule for donor users, used by every service that serves them: staff roles see every
 * donor's records; a donor user sees only its own donor's. Asking for another donor's record is a
 * 404, as for a record that does not exist, so the answer does not reveal that it exists.
 */
export function canSeeDonor(actor: Actor, donorId: number): boolean {
  return actor.role !== 'donor' || actor.donorId === donorId;
}

/** `record` when the actor may see it, otherwise (or when there is none) a NotFoundError naming `entity` and `id`. */
export function visibleOr404<T>(actor: Actor, record: T | null | undefined, donorIdOf: (record: T) => number, entity: string, id: number | string): T {
  if (record === null || record === undefined || !canSeeDonor(actor, donorIdOf(record))) throw new NotFoundError(entity, id);
  return record;
}

/** A donor id no record has: the filter of a donor user who asked for another donor's records. */
export const NO_DONOR = -1;

/**
 * The donor a list may be filtered to: what staff asked for (undefined: every donor); a donor
 * user's own donor, or NO_DONOR when it asked for another one (an empty list, not an error).
 */
export function visibleDonorFilter(actor: Actor, asked: number | undefined): number | undefined {
  if (actor.role !== 'donor') return asked;
  return asked === undefined || asked === actor.donorId ? (actor.donorId ?? NO_DONOR) : NO_DONOR;
}
