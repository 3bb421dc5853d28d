import { DateRange, dateProblem, knownOnProblem } from './dates';
import type { FieldProblem } from './errors/domain-errors';
import { ID_RULE, isId, parseIdText } from './ids';
import { isCurrencyCode } from './money/iso4217';
import { TextRule, textProblem } from './text';

/**
 * The rules of the API's fields as data, written once and run two ways:
 * - as class-validator decorators on the DTOs (common/http/validators.ts makes them with
 *   `registerDecorator`), which the global ValidationPipe and the pages' `dtoProblems` run;
 * - compiled by `compileRules` into a plain function for bulk input (the pledges CSV import), which
 *   gives the same problems, with the same messages in the same order, without class-validator's
 *   per-call cost. The pledge fields are a table (pledges/pledge-rules.ts) read by both.
 *
 * A check is a predicate and its message; nothing here depends on a library.
 */
export interface Check {
  /** The rule's name: the key of its message in class-validator's errors (dto-rules.spec.ts reads it). */
  readonly name: string;
  readonly passes: (value: unknown) => boolean;
  /** The refusal, naming the property; `value` is the whole value (the list, for an `each` check). */
  readonly message: (property: string, value: unknown) => string;
  /** Checks every item of a list; a value that is not a list is checked whole (class-validator's `each`). */
  readonly each?: boolean;
  /** The value is text trimmed on the way in (by class-transformer in the API). */
  readonly trims?: boolean;
}

export interface CheckOptions {
  /** Replaces the check's own message. */
  message?: string;
  each?: boolean;
}

function check(name: string, passes: (value: unknown) => boolean, message: (property: string, value: unknown) => string, options?: CheckOptions): Check {
  const replaced = options?.message;
  return { name, passes, message: replaced === undefined ? message : () => replaced, each: options?.each === true };
}

/** Text under the shared rule (common/text.ts): control characters, well-formed Unicode, lengths of the trimmed text. */
export function text(rule: TextRule, options?: CheckOptions): Check {
  return {
    ...check(
      'isText',
      (value) => textProblem(value, rule) === null,
      (property, value) => `${property} ${textProblem(value, rule) ?? 'is not acceptable text'}`,
      options,
    ),
    trims: true,
  };
}

/** A record id: a whole number from 1 to 2^31 - 1; `inText` for a query string's digits ("7", never "07"). */
export function id(options?: CheckOptions & { inText?: boolean }): Check {
  const inText = options?.inText === true;
  const rule = inText ? ID_RULE : ID_RULE.replace(', written with digits only', '');
  return check('isId', inText ? (value) => parseIdText(value) !== null : isId, (property) => `${property} must be ${rule}`, options);
}

/**
 * A JSON object (not null, not a list). A nested object is checked with this before its fields:
 * class-validator's nested validation alone takes a list and checks its items instead.
 */
export function plainObject(options?: CheckOptions): Check {
  return check(
    'isPlainObject',
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    (property) => `${property} must be a JSON object { … }, not a list or a single value`,
    options,
  );
}

/** A real calendar date written YYYY-MM-DD, within the field's range (common/dates.ts DATE_RANGES). */
export function isoDate(range: DateRange, options?: CheckOptions): Check {
  return check(
    'isIsoDate',
    (value) => dateProblem(value, range) === null,
    (property, value) => `${property} ${dateProblem(value, range) ?? 'must be a real date written YYYY-MM-DD'}`,
    options,
  );
}

/** What was known on a day or at an instant (`knownOn`): common/dates.ts knownOnProblem. */
export function knownOn(options?: CheckOptions): Check {
  return check(
    'isKnownOn',
    (value) => knownOnProblem(value) === null,
    (property, value) => `${property} ${knownOnProblem(value) ?? 'is not a date'}`,
    options,
  );
}

/** An upper-case ISO 4217 code. */
export function currency(options?: CheckOptions): Check {
  return check('isCurrency', isCurrencyCode, (property) => `${property} must be an ISO 4217 code in upper case, such as USD, EUR or AZN`, options);
}

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * Money at the edge is a decimal string. The full check (decimals for the currency, range) needs
 * the currency and happens in `parseAmount`; this refuses JSON numbers early with a clear message.
 */
export function decimalString(options?: CheckOptions): Check {
  return check(
    'isDecimalString',
    (value) => typeof value === 'string' && DECIMAL.test(value),
    (property) => `${property} must be a decimal string such as "1500000.00" (not a JSON number, no sign, exponent or separators)`,
    options,
  );
}

/** One of a fixed list of values. */
export function oneOf(values: readonly unknown[], options?: CheckOptions): Check {
  return check(
    'isIn',
    (value) => values.includes(value),
    (property) => `${property} must be one of ${values.join(', ')}`,
    options,
  );
}

/** A JSON number without a fraction. */
export function wholeNumber(options?: CheckOptions): Check {
  return check(
    'isInt',
    (value) => typeof value === 'number' && Number.isInteger(value),
    (property) => `${property} must be an integer number`,
    options,
  );
}

export function atLeast(min: number, options?: CheckOptions): Check {
  return check(
    'min',
    (value) => typeof value === 'number' && value >= min,
    (property) => `${property} must not be less than ${min}`,
    options,
  );
}

export function atMost(max: number, options?: CheckOptions): Check {
  return check(
    'max',
    (value) => typeof value === 'number' && value <= max,
    (property) => `${property} must not be greater than ${max}`,
    options,
  );
}

/** true or false (JSON), never "true". */
export function boolean(options?: CheckOptions): Check {
  return check(
    'isBoolean',
    (value) => typeof value === 'boolean',
    (property) => `${property} must be a boolean value`,
    options,
  );
}

/** A JSON list. */
export function list(options?: CheckOptions): Check {
  return check('isArray', Array.isArray, (property) => `${property} must be an array`, options);
}

export function listOfAtMost(max: number, options?: CheckOptions): Check {
  return check(
    'arrayMaxSize',
    (value) => Array.isArray(value) && value.length <= max,
    (property) => `${property} must contain no more than ${max} elements`,
    options,
  );
}

/** A list in which no item appears twice. */
export function noRepeats(options?: CheckOptions): Check {
  return check(
    'arrayUnique',
    (value) => Array.isArray(value) && new Set(value).size === value.length,
    (property) => `All ${property}'s elements must be unique`,
    options,
  );
}

/** Text matching a pattern (with `each`: every item of a list). */
export function matches(pattern: RegExp, options?: CheckOptions): Check {
  if (pattern.global || pattern.sticky) throw new Error(`matches(${String(pattern)}): a global or sticky pattern remembers where it stopped`);
  return check(
    'matches',
    (value) => typeof value === 'string' && pattern.test(value),
    (property) => `${property} must match ${String(pattern)}`,
    options,
  );
}

/**
 * What a property's absence and null mean, exactly one per property (the DTOs say it with the
 * decorators of the same names, common/http/validators.ts):
 * - `required`: must be given, null is refused by the checks;
 * - `optionalNotNull`: may be left out ("unchanged" in a PATCH, "the default" in a create); null is refused;
 * - `nullable`: may be left out or null; null means "none" (and clears the field in a PATCH);
 * - `requiredNullable`: must be given; null is a value (it clears the field).
 */
export type Presence = 'required' | 'optionalNotNull' | 'nullable' | 'requiredNullable';

/** Whether a property's checks run on this value, by its presence (the DTOs' `@ValidateIf`). */
export const CHECKED: Readonly<Record<Presence, (value: unknown) => boolean>> = {
  required: () => true,
  optionalNotNull: (value) => value !== undefined,
  nullable: (value) => value !== undefined && value !== null,
  requiredNullable: (value) => value !== null,
};

/** The check that comes with a presence: null refused (optionalNotNull), or absence refused (requiredNullable). */
export function presenceCheck(presence: Presence, options?: CheckOptions): Check | null {
  if (presence === 'optionalNotNull')
    return check(
      'notNull',
      (value) => value !== null,
      (property) => `${property} cannot be null: leave it out instead`,
      options,
    );
  if (presence === 'requiredNullable')
    return check(
      'isPresent',
      (value) => value !== undefined,
      (property) => `${property} must be given (null clears it)`,
      options,
    );
  return null;
}

/** One field's rule: its presence, its checks in order, and (for an object) its own fields' rules. */
export interface FieldRule {
  readonly presence: Presence;
  /** Replaces the message of the presence's own check (null refused, or absence refused). */
  readonly presenceMessage?: string;
  readonly checks: readonly Check[];
  /** The rules of a nested object's fields (the DTO gives the class with `@Type`). */
  readonly nested?: RuleTable;
}

/** The rules of an object's fields, in the order they are checked (the DTO declares them in the same order). */
export type RuleTable = Readonly<Record<string, FieldRule>>;

/**
 * Every check of a field in the order it runs: its own checks, then the presence's (as the
 * presence decorators, written above the others, run last). Names are unique per field, as
 * class-validator keys messages by name.
 */
export function checksOf(rule: FieldRule): readonly Check[] {
  const first = presenceCheck(rule.presence, rule.presenceMessage === undefined ? undefined : { message: rule.presenceMessage });
  const checks = first ? [...rule.checks, first] : rule.checks;
  const names = checks.map((c) => c.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new Error(`a field has two checks named ${repeated}: the second message would replace the first`);
  return checks;
}

const passesCheck = (c: Check, value: unknown): boolean => (c.each && Array.isArray(value) ? value.every(c.passes) : c.passes(value));

/** The first problem of one value under a field's rule (a form checks one field at a time), or null. */
export function ruleProblem(rule: FieldRule, property: string, value: unknown): string | null {
  if (!CHECKED[rule.presence](value)) return null;
  for (const c of checksOf(rule)) if (!passesCheck(c, value)) return c.message(property, value);
  return null;
}

type ObjectCheck = (object: Readonly<Record<string, unknown>>, path: string, problems: FieldProblem[]) => void;

const at = (path: string, property: string) => (path ? `${path}.${property}` : property);

/**
 * The problems of an object under a table, as the API's ValidationPipe reports them for the DTO
 * made of the same rules (whitelist and forbidNonWhitelisted on, every problem reported): a
 * property the table does not name first, then each field in the table's order, its checks in
 * order, then its nested object's problems under `field.child`. The object is the one
 * class-transformer makes of a JSON body (nested objects as objects, text trimmed); an empty list
 * means valid. Built once per table; checking allocates nothing for a valid object.
 */
export function compileRules(table: RuleTable): (object: object) => FieldProblem[] {
  const checkObject = compileObject(table);
  return (object) => {
    const problems: FieldProblem[] = [];
    checkObject(object as Readonly<Record<string, unknown>>, '', problems);
    return problems;
  };
}

function compileObject(table: RuleTable): ObjectCheck {
  const fields = Object.entries(table).map(([property, rule]) => ({ property, check: compileField(property, rule) }));
  const known = new Set(Object.keys(table));
  return (object, path, problems) => {
    for (const key in object)
      if (!known.has(key) && Object.hasOwn(object, key)) problems.push({ field: at(path, key), message: `property ${key} should not exist` });
    for (let i = 0; i < fields.length; i++) fields[i].check(object[fields[i].property], path, problems);
  };
}

type ValueCheck = (value: unknown, path: string, problems: FieldProblem[]) => void;

function compileField(property: string, rule: FieldRule): ValueCheck {
  const checked = CHECKED[rule.presence];
  const checks = checksOf(rule);
  const nested = rule.nested ? compileObject(rule.nested) : null;
  return (value, path, problems) => {
    if (!checked(value)) return;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      if (!passesCheck(c, value)) problems.push({ field: at(path, property), message: c.message(property, value) });
    }
    if (nested && value !== undefined) nestedProblems(property, nested, value, at(path, property), problems);
  };
}

/**
 * A nested value as class-validator's nested validation reads it: an object is checked under its
 * table; a list has each item checked at `field.0`, `field.1`…; anything else is refused.
 */
function nestedProblems(property: string, nested: ObjectCheck, value: unknown, field: string, problems: FieldProblem[]): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => item !== undefined && nestedProblems(property, nested, item, `${field}.${index}`, problems));
  } else if (value instanceof Object) {
    nested(value as Readonly<Record<string, unknown>>, field, problems);
  } else {
    problems.push({ field, message: `nested property ${property} must be either object or array` });
  }
}

/** A money value at the edge: a decimal string and the code of its currency. */
export const MONEY_RULES = {
  amount: { presence: 'required', checks: [decimalString()] },
  currency: { presence: 'required', checks: [currency()] },
} as const satisfies RuleTable;
