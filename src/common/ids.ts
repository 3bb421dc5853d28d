/**
 * Record ids are the databases' auto-increment integers: 1 to 2^31 - 1 (PostgreSQL `integer`).
 * A larger id cannot name a record, and PostgreSQL refuses to even compare one with an integer
 * column, so every id from outside (path, query, body, form, cursor) is checked against this range
 * before it reaches a query.
 */
export const MAX_ID = 2_147_483_647;

/** A JSON id: a whole number from 1 to MAX_ID. */
export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

/**
 * An id written in a URL, query or form: decimal digits only, no sign, spaces, decimal point,
 * exponent or leading zero ("7", never "07", "+7", " 7" or "7.0"), so each record has exactly one
 * address; from 1 to MAX_ID.
 */
const ID_TEXT = /^[1-9][0-9]{0,9}$/;

export function parseIdText(raw: unknown): number | null {
  if (typeof raw !== 'string' || !ID_TEXT.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}

export const ID_RULE = `a record id: a whole number from 1 to ${MAX_ID}, written with digits only`;
