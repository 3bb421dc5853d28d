import { Type as ClassType } from '@nestjs/common';
import { OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidateNested, ValidationArguments } from 'class-validator';
import { DateRange } from '../dates';
import {
  Check,
  CHECKED,
  CheckOptions,
  checksOf,
  currency,
  decimalString,
  id,
  isoDate,
  knownOn,
  plainObject,
  Presence,
  presenceCheck,
  RuleTable,
  text,
} from '../field-rules';
import { TextRule, trimText } from '../text';

/**
 * The field decorators of every DTO, made from the checks of common/field-rules.ts: each rule is a
 * class-validator constraint (never an option of the pipe), so the API's ValidationPipe, the
 * pages' `dtoProblems` and the CSV import (which compiles the same checks) apply the same rules to
 * the same fields, with the same messages.
 *
 * Presence: every property that may be left out says what null means, with exactly one of
 * - `@OptionalNotNull()`: may be left out; null is refused (the column cannot hold it, or null
 *   would mean nothing). Left out means "unchanged" in a PATCH and "the default" in a create.
 * - `@Nullable()`: may be left out or null; null means "none" (and clears it in a PATCH).
 * - `@RequiredNullable()`: must be given; null is a value (a priority's target: null clears it).
 * class-validator's own `@IsOptional` lets null through to the database: dto-rules.spec.ts
 * refuses it on every DTO.
 */

type DeclaredPresence = Exclude<Presence, 'required'>;

/** A DTO class, as decorators and `object.constructor` see it. */
type DtoClass = object;

/** Which presence rule each DTO property declared, for dto-rules.spec.ts to hold every DTO to them. */
const presenceByClass = new Map<DtoClass, Map<string, DeclaredPresence>>();

export function declaredPresence(dto: DtoClass): ReadonlyMap<string, DeclaredPresence> {
  // A DTO that extends another inherits its fields' rules: the parent's first, the child's over them.
  const chain: object[] = [];
  for (let c: object | null = dto; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) chain.unshift(c);
  const merged = new Map<string, DeclaredPresence>();
  for (const c of chain) for (const [property, kind] of presenceByClass.get(c) ?? []) merged.set(property, kind);
  return merged;
}

function recordPresence(dto: DtoClass, propertyName: string, kind: DeclaredPresence): void {
  let declared = presenceByClass.get(dto);
  if (!declared) presenceByClass.set(dto, (declared = new Map<string, DeclaredPresence>()));
  declared.set(propertyName, kind);
}

/** `@ValidateIf` by the presence (common/field-rules.ts CHECKED), recorded as the property's presence rule. */
function presenceCondition(kind: DeclaredPresence) {
  return (target: object, propertyName: string) => {
    recordPresence(target.constructor, propertyName, kind);
    ValidateIf((_object: object, value: unknown) => CHECKED[kind](value))(target, propertyName);
  };
}

/** The presence's condition and its own check (null refused, or absence refused). */
function presence(kind: DeclaredPresence, options?: CheckOptions) {
  return (target: object, propertyName: string) => {
    presenceCondition(kind)(target, propertyName);
    const own = presenceCheck(kind, options);
    if (own) applyCheck(own)(target, propertyName);
  };
}

/** A check of common/field-rules.ts as a class-validator constraint of the property (text is trimmed on the way in). */
function applyCheck(check: Check) {
  return (target: object, propertyName: string) => {
    if (check.trims) Transform(({ value }: { value: unknown }) => trimText(value))(target, propertyName);
    registerDecorator({
      name: check.name,
      target: target.constructor,
      propertyName,
      options: { each: check.each, message: (args: ValidationArguments) => check.message(args.property, args.value) },
      validator: { validate: (value: unknown) => check.passes(value) },
    });
  };
}

/** Which properties of a DTO class take their rules from a table, for tests to hold the class and its table together. */
const tableByClass = new Map<DtoClass, { table: RuleTable; properties: string[] }>();

export function ruledProperties(dto: DtoClass): { table: RuleTable; properties: readonly string[] } | undefined {
  return tableByClass.get(dto);
}

/**
 * The property's rule from a table (common/field-rules.ts), found by the property's name: its
 * presence, its checks in the table's order, and `@ValidateNested` for a nested object (whose
 * class the DTO names with `@Type`). The bulk import compiles the same table.
 */
export function RuleFrom(table: RuleTable) {
  return (target: object, propertyName: string) => {
    const rule = Object.hasOwn(table, propertyName) ? table[propertyName] : undefined;
    if (!rule) throw new Error(`${target.constructor.name}.${propertyName} has no rule in its table`);
    let ruled = tableByClass.get(target.constructor);
    if (!ruled) tableByClass.set(target.constructor, (ruled = { table, properties: [] }));
    if (ruled.table !== table) throw new Error(`${target.constructor.name} takes its rules from two tables`);
    ruled.properties.push(propertyName);
    if (rule.presence !== 'required') presenceCondition(rule.presence)(target, propertyName);
    for (const check of checksOf(rule)) applyCheck(check)(target, propertyName);
    if (rule.nested) ValidateNested()(target, propertyName);
  };
}

/** May be left out; null is refused with a message naming the field. */
export function OptionalNotNull(options?: CheckOptions) {
  return presence('optionalNotNull', options);
}

/** May be left out or null (none; in a PATCH, null clears the field). */
export function Nullable() {
  return presence('nullable');
}

/** Must be given; null is an accepted value. */
export function RequiredNullable(options?: CheckOptions) {
  return presence('requiredNullable', options);
}

/**
 * Text under the shared rule (common/text.ts): trimmed on the way in, control characters refused
 * (tabs and line breaks only in `multiLine` fields), lengths counted on the trimmed text, so a
 * required field (`min` of 1 or more) refuses an all-blank value. The check trims too, so it
 * holds on objects built without class-transformer (the CSV import).
 */
export function IsText(rule: TextRule, options?: CheckOptions) {
  return applyCheck(text(rule, options));
}

/** A record id: a whole number from 1 to 2^31 - 1 (`each` for a list of ids; `inText` for a query string's digits). */
export function IsId(options?: CheckOptions & { inText?: boolean }) {
  return applyCheck(id(options));
}

/**
 * A JSON object (not null, not a list). `@ValidateNested` alone accepts a list and checks its
 * items instead, so `"inKind": [{…}]` would pass as if it were the object.
 */
export function IsPlainObject(options?: CheckOptions) {
  return applyCheck(plainObject(options));
}

/** A real calendar date written YYYY-MM-DD, within the field's range (common/dates.ts DATE_RANGES). */
export function IsIsoDate(range: DateRange, options?: CheckOptions) {
  return applyCheck(isoDate(range, options));
}

/** A day (YYYY-MM-DD) or a UTC instant, not in the future: what a figure is known on. */
export function IsKnownOn(options?: CheckOptions) {
  return applyCheck(knownOn(options));
}

/** An upper-case ISO 4217 code. */
export function IsCurrency(options?: CheckOptions) {
  return applyCheck(currency(options));
}

/** Money at the edge is a decimal string (the currency's decimals and the range are `parseAmount`'s). */
export function IsDecimalString(options?: CheckOptions) {
  return applyCheck(decimalString(options));
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

/**
 * A PATCH body derived from its create body, so each field's rules and documentation are written
 * once (@nestjs/swagger's OmitType and PartialType copy them). The PATCH leaves out `omit` (fields
 * a record keeps for life, or that have their own route); every other field becomes optional,
 * absent meaning unchanged, and a null is still checked (`skipNullProperties: false`, not
 * `@IsOptional`, which would let it through). Null keeps the meaning it has in the create: it
 * clears a nullable field, and a field the create wants given-or-null (`@RequiredNullable`); the
 * fields the create requires outright are listed in `notNull`, as a PATCH may leave them out but
 * not clear them. An empty body is refused (`@PartialUpdate`).
 */
export function UpdateOf<T, O extends keyof T, N extends Exclude<keyof T, O>>(
  create: ClassType<T>,
  fields: { omit: readonly O[]; notNull: readonly N[] },
): ClassType<Partial<Omit<T, O>>> {
  const omitted = new Set<PropertyKey>(fields.omit);
  const update = PartialType(OmitType(create, fields.omit), { skipNullProperties: false });
  for (const [property, kind] of declaredPresence(create)) {
    if (!omitted.has(property)) recordPresence(update, property, kind === 'requiredNullable' ? 'nullable' : kind);
  }
  for (const property of fields.notNull) {
    const name = String(property);
    if (declaredPresence(create).has(name))
      throw new Error(`${create.name}.${name} already says what null means; notNull lists the fields the create requires`);
    OptionalNotNull()(update.prototype as object, name);
  }
  PartialUpdate()(update);
  return update;
}
