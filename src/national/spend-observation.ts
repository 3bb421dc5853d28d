import { InvalidInputError } from '../common/errors/domain-errors';
import type { SpendBasis } from './national.entity';

/** The dating fields of a government spend body, version 2 (`asAt`, `basis`) or version 1 (`periodStart`, `periodEnd`). */
export interface SpendDating {
  asAt?: string;
  basis?: SpendBasis;
  periodStart?: string | null;
  periodEnd?: string;
}

export interface SpendObservation {
  asAt: string;
  basis: SpendBasis;
  periodStart: string | null;
  /** Kept only from a version 1 body, as it was sent. */
  periodEnd: string | null;
  /** Set for a version 1 body: how it was read, returned to the client beside the record. */
  deprecated: string | null;
}

/**
 * Version 1 said "the spend of periodStart to periodEnd" and nothing about its basis. One row of
 * it is the same statement as an observation as at the period end of the amount since the start;
 * it was a record of spending, so its basis is `spent`. The answer says so in `deprecated`.
 */
export const VERSION_1_READING =
  'version 1 body (periodStart, periodEnd): recorded as the cumulative amount since periodStart as at periodEnd (asAt), basis "spent" unless given; ' +
  'send asAt and basis instead';

/** When and on what basis a government spend body states its figure; a body that cannot say is refused naming the field. */
export function spendObservation(body: SpendDating): SpendObservation {
  const periodStart = body.periodStart ?? null;
  if (body.asAt !== undefined) {
    if (body.periodEnd !== undefined)
      throw InvalidInputError.field('periodEnd', 'periodEnd is the version 1 way of dating the figure: with asAt, leave periodEnd out');
    if (body.basis === undefined) throw InvalidInputError.field('basis', 'basis must be given with asAt: "allocated" or "spent", as the source says');
    if (periodStart !== null && periodStart > body.asAt) throw InvalidInputError.field('periodStart', 'periodStart must not be after asAt');
    return { asAt: body.asAt, basis: body.basis, periodStart, periodEnd: null, deprecated: null };
  }
  if (body.periodEnd !== undefined) {
    if (periodStart !== null && body.periodEnd < periodStart) throw InvalidInputError.field('periodEnd', 'periodEnd must not be before periodStart');
    return { asAt: body.periodEnd, basis: body.basis ?? 'spent', periodStart, periodEnd: body.periodEnd, deprecated: VERSION_1_READING };
  }
  throw InvalidInputError.field('asAt', 'asAt must be given: the date (YYYY-MM-DD) the source states the cumulative figure as at');
}
