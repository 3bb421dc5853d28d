/**
 * Typed domain errors. Services throw these; one filter (http-exception.filter.ts) maps them to
 * the contract's error body. No Nest imports here so pure code can throw them too.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that is malformed or invalid: 400. */
export class InvalidInputError extends DomainError {
  readonly status = 400;
  static field(field: string, message: string): InvalidInputError {
    return new InvalidInputError(message, [{ field, message }]);
  }
}

/** The record does not exist (or the caller may not know that it does): 404. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(entity: string, id: string | number) {
    super(`${entity} ${id} not found`);
  }
}

/** The request conflicts with what is stored (idempotency key reuse, duplicates): 409. */
export class ConflictError extends DomainError {
  readonly status = 409;
}

/** Well-formed input that breaks a business rule: 422. */
export class BusinessRuleError extends DomainError {
  readonly status = 422;
  static field(field: string, message: string): BusinessRuleError {
    return new BusinessRuleError(message, [{ field, message }]);
  }
}

export class MissingRateError extends BusinessRuleError {
  constructor(
    readonly base: string,
    readonly quote: string,
    readonly date: string,
    field = 'currency',
  ) {
    super(`No exchange rate from ${base} to ${quote} on or before ${date}`, [
      { field, message: `no ${base}/${quote} rate on or before ${date}: import or enter one first` },
    ]);
  }
}

export class OverDisbursementError extends BusinessRuleError {
  constructor(balance: string, attempted: string) {
    super(`This would exceed the balance still to receive (${balance}); give overDisbursementReason to record it anyway`, [
      { field: 'amount', message: `${attempted} is more than the ${balance} balance still to receive; give overDisbursementReason to record it anyway` },
    ]);
  }
}

/** Throttled: 429, with how long to wait, which the HTTP filters send as `Retry-After` (whole seconds). */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
