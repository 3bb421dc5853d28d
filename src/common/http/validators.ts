import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidationArguments, ValidationOptions } from 'class-validator';
import { DateRange, dateProblem } from '../dates';
import { ID_RULE, isId, parseIdText } from '../ids';
import { isCurrencyCode } from '../money/iso4217';
import { TextRule, textProblem, trimText } from '../text';

/**
 * The shared field decorators of every DTO. Each rule is a class-validator constraint (never an
 * option of the pipe), so the API's ValidationPipe, the pages' `validate()` and the CSV import's
 * `validateSync`/ValidationShortcut all apply the same rules to the same fields.
 *
 * Presence: every property that may be left out says what null means, with exactly one of
 * - `@OptionalNotNull()`: may be left out; null is refused (the column cannot hold it, or null
 *   would mean nothing). Left out means "unchanged" in a PATCH and "the default" in a create.
 * - `@Nullable()`: may be left out or null; null means "none" (and clears it in a PATCH).
 * - `@RequiredNullable()`: must be given; null is a value (a priority's target: null clears it).
 * class-validator's own `@IsOptional` lets null through to the database: dto-rules.spec.ts
 * refuses it on every DTO.
 */

export type Presence = 'optionalNotNull' | 'nullable' | 'requiredNullable';

/** A DTO class, as decorators and `object.constructor` see it. */
type DtoClass = object;

/** Which presence rule each DTO property declared, for dto-rules.spec.ts to hold every DTO to them. */
const presenceByClass = new Map<DtoClass, Map<string, Presence>>();

export function declaredPresence(dto: DtoClass): ReadonlyMap<string, Presence> {
  // A DTO that extends another inherits its fields' rules: the parent's first, the child's over them.
  const chain: object[] = [];
  for (let c: object | null = dto; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) chain.unshift(c);
  const merged = new Map<string, Presence>();
  for (const c of chain) for (const [property, kind] of presenceByClass.get(c) ?? []) merged.set(property, kind);
  return merged;
}

/** `@ValidateIf(condition)`, recorded as the property's presence rule. */
function presence(kind: Presence, condition: (value: unknown) => boolean) {
  return (target: object, propertyName: string) => {
    let declared = presenceByClass.get(target.constructor);
    if (!declared) presenceByClass.set(target.constructor, (declared = new Map<string, Presence>()));
    declared.set(propertyName, kind);
    ValidateIf((_object: object, value: unknown) => condition(value))(target, propertyName);
  };
}

/** May be left out; null is refused with a message naming the field. */
export function OptionalNotNull(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    presence('optionalNotNull', (value) => value !== undefined)(target, propertyName);
    registerDecorator({
      name: 'notNull',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} cannot be null: leave it out instead`, ...options },
      validator: { validate: (value: unknown) => value !== null },
    });
  };
}

/** May be left out or null (none; in a PATCH, null clears the field). */
export function Nullable() {
  return presence('nullable', (value) => value !== undefined && value !== null);
}

/** Must be given; null is an accepted value. */
export function RequiredNullable(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    presence('requiredNullable', (value) => value !== null)(target, propertyName);
    registerDecorator({
      name: 'isPresent',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be given (null clears it)`, ...options },
      validator: { validate: (value: unknown) => value !== undefined },
    });
  };
}

/**
 * Text under the shared rule (common/text.ts): trimmed on the way in, control characters refused
 * (tabs and line breaks only in `multiLine` fields), lengths counted on the trimmed text, so a
 * required field (`min` of 1 or more) refuses an all-blank value. The check trims too, so it
 * holds on objects built without class-transformer (the CSV import's fast path).
 */
export function IsText(rule: TextRule, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    Transform(({ value }: { value: unknown }) => trimText(value))(target, propertyName);
    registerDecorator({
      name: 'isText',
      target: target.constructor,
      propertyName,
      constraints: [rule],
      options: {
        message: (args: ValidationArguments) => `${args.property} ${textProblem(args.value, rule) ?? 'is not acceptable text'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => textProblem(value, rule) === null },
    });
  };
}

/** A record id: a whole number from 1 to 2^31 - 1 (`each` for a list of ids). */
export function IsId(options?: ValidationOptions & { inText?: boolean }) {
  const { inText, ...validation } = options ?? {};
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isId',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be ${inText ? ID_RULE : ID_RULE.replace(', written with digits only', '')}`, ...validation },
      // `inText`: a query string's id, digits only ("7", never "07" or "7.0").
      validator: { validate: (value: unknown) => (inText ? parseIdText(value) !== null : isId(value)) },
    });
}

/**
 * A JSON object (not null, not a list). `@ValidateNested` alone accepts a list and checks its
 * items instead, so `"inKind": [{…}]` would pass as if it were the object.
 */
export function IsPlainObject(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPlainObject',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a JSON object { … }, not a list or a single value`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) },
    });
}

/** A real calendar date written YYYY-MM-DD, within the field's range (common/dates.ts DATE_RANGES). */
export function IsIsoDate(range: DateRange, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDate',
      target: target.constructor,
      propertyName,
      constraints: [range],
      options: {
        message: (args: ValidationArguments) => `${args.property} ${dateProblem(args.value, range) ?? 'must be a real date written YYYY-MM-DD'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => dateProblem(value, range) === null },
    });
}

/** An upper-case ISO 4217 code. */
export function IsCurrency(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCurrency',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be an ISO 4217 code in upper case, such as USD, EUR or AZN`, ...options },
      validator: { validate: (value: unknown) => isCurrencyCode(value) },
    });
}

/**
 * Money at the edge is a decimal string. The full check (decimals for the currency, range) needs
 * the currency and happens in `parseAmount`; this refuses JSON numbers early with a clear message.
 */
export function IsDecimalString(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDecimalString',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a decimal string such as "1500000.00" (not a JSON number, no sign, exponent or separators)`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value) },
    });
}

const PARTIAL_UPDATE = Symbol('partialUpdate');

/**
 * Marks a PATCH body: every field optional, but a body that names none of them (`{}`) is refused
 * rather than answered 200 as if something had been saved. The ValidationPipe enforces it.
 */
export function PartialUpdate(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(PARTIAL_UPDATE, true, target);
  };
}

export function isPartialUpdate(dto: DtoClass): boolean {
  return Reflect.getMetadata(PARTIAL_UPDATE, dto) === true;
}

/** The refusal of an empty PATCH body, or null when the body is not a PATCH body or names a field. */
export function emptyUpdateProblem(dto: unknown): { field: string; message: string } | null {
  if (typeof dto !== 'object' || dto === null || !isPartialUpdate(dto.constructor)) return null;
  if (Object.values(dto).some((value) => value !== undefined)) return null;
  return { field: 'body', message: 'the body names no field to change: send at least one field' };
}
