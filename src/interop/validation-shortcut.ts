import {
  getMetadataStorage,
  IS_OPTIONAL,
  MAX_LENGTH,
  ValidationTypes,
  type MetadataStorage,
  type ValidationArguments,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
} from 'class-validator';

/**
 * A quick yes-or-don't-know for `validateSync`, for bulk input (the pledges CSV import checks every
 * row with the DTO of `POST /api/pledges`). It reads the DTO's class-validator metadata once and
 * calls the very same constraint functions, without the error objects, message formatting and
 * per-call metadata look-ups that make `validateSync` cost ~25 µs a row.
 *
 * It only ever answers "valid" when `validateSync(object, options)` would return no errors; for
 * anything it does not model (nested arrays, promises, Sets and Maps, unknown metadata types) it
 * says "don't know", and the caller runs `validateSync` itself, so every error message still comes
 * from class-validator. The rules stay in one place: the decorators on the DTO.
 */

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
/** A checked object's class (its `constructor`), under which class-validator keeps the rules. */
type ClassType = abstract new (...args: never[]) => unknown;
type ObjectCheck = (object: object) => boolean;
type ValueCheck = (object: object, value: unknown) => boolean;
type Condition = (object: object, value: unknown) => boolean;

/** One property's rules: `passes(object, object[name])`. */
interface PropertyCheck {
  name: string;
  passes: ValueCheck;
}

/** Options that change what passes; the shortcut refuses to be built with ones it does not model. */
function assertModelled(options: ValidatorOptions): void {
  const unmodelled: string[] = [];
  if (options.groups?.length) unmodelled.push('groups');
  if (options.always) unmodelled.push('always');
  if (options.strictGroups) unmodelled.push('strictGroups');
  if (options.skipMissingProperties || options.skipNullProperties || options.skipUndefinedProperties) unmodelled.push('skip*Properties');
  if (options.forbidUnknownValues === false) unmodelled.push('forbidUnknownValues: false');
  // whitelist without forbidNonWhitelisted strips properties: validation would change the object.
  if (options.whitelist && !options.forbidNonWhitelisted) unmodelled.push('whitelist without forbidNonWhitelisted');
  if (unmodelled.length) throw new Error(`ValidationShortcut does not model these validator options: ${unmodelled.join(', ')}`);
}

const isPromiseLike = (value: unknown): boolean => typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const NEVER: ValueCheck = () => false;

/**
 * Cheap sufficient conditions for class-validator's own constraints, by the name it registers
 * them under: when one holds the constraint passes, otherwise the constraint itself runs.
 * MaxLength runs two global regular expressions over the text to count a surrogate pair or a
 * presentation sequence as one character, so its count never exceeds the string's length: a
 * string no longer than the limit passes. (That scan was a third of the shortcut's time.)
 */
const SURELY_PASSES = new Map<string, (value: unknown, constraints: readonly unknown[]) => boolean>([
  [MAX_LENGTH, (value, constraints) => typeof value === 'string' && typeof constraints[0] === 'number' && value.length <= constraints[0]],
]);

/**
 * Class-validator's @IsOptional tests `object[propertyName]` for null or undefined; the value in
 * hand is that very read, so test it directly rather than through a property look-up by name.
 */
const optionalCondition: Condition = (_object, value) => value !== null && value !== undefined;

export class ValidationShortcut {
  private readonly storage = getMetadataStorage();
  /** Compiled checks by class, then by the schema name class-validator passes for nested objects. */
  private readonly compiled = new Map<ClassType, Map<string | undefined, ObjectCheck>>();
  /** The last root class checked: a bulk caller checks one class over and over. */
  private lastRoot: { target: ClassType; check: ObjectCheck } | undefined;

  constructor(private readonly options: ValidatorOptions) {
    assertModelled(options);
  }

  /** True only when `validateSync(object, options)` would find nothing; false means "run it to see". */
  passes(object: object): boolean {
    const target = object.constructor as ClassType;
    if (this.lastRoot?.target !== target) this.lastRoot = { target, check: this.checkOf(target, undefined) };
    return this.lastRoot.check(object);
  }

  private checkOf(target: ClassType, targetSchema: string | undefined): ObjectCheck {
    let bySchema = this.compiled.get(target);
    if (!bySchema) this.compiled.set(target, (bySchema = new Map<string | undefined, ObjectCheck>()));
    let check = bySchema.get(targetSchema);
    if (!check) bySchema.set(targetSchema, (check = this.compileObject(target, targetSchema)));
    return check;
  }

  /**
   * Mirrors ValidationExecutor.execute: an unknown class fails (forbidUnknownValues), an own
   * property without rules fails (forbidNonWhitelisted), and every property with rules is checked
   * on `object[name]`. Values are read in one for-in pass (which V8 runs from the object's shape,
   * allocating nothing); should a property with rules not turn up there, all are read by name.
   */
  private compileObject(target: ClassType, targetSchema: string | undefined): ObjectCheck {
    // The same call, with the same arguments, that ValidationExecutor makes (no groups, not always).
    const metadatas = this.storage.getTargetValidationMetadatas(target, targetSchema as string, false, false, undefined);
    if (metadatas.length === 0) return () => false;
    const grouped = this.storage.groupByPropertyName(metadatas);
    const properties = Object.keys(grouped).map((name) => this.compileProperty(target.name, name, grouped[name]));
    const byName = new Map(properties.map((p) => [p.name, p]));
    const whitelist = this.options.whitelist === true;
    return (object) => {
      const fields = object as Record<string, unknown>;
      let checked = 0;
      for (const key in fields) {
        const property = byName.get(key);
        if (property === undefined) {
          if (whitelist && Object.hasOwn(fields, key)) return false;
          continue;
        }
        if (!property.passes(object, fields[key])) return false;
        checked++;
      }
      if (checked === properties.length) return true;
      for (const property of properties) if (!property.passes(object, (object as Record<string, unknown>)[property.name])) return false;
      return true;
    };
  }

  /** Mirrors ValidationExecutor.performValidations for one property. */
  private compileProperty(targetName: string, name: string, metadatas: ValidationMetadata[]): PropertyCheck {
    const conditions: Condition[] = [];
    const checks: ValueCheck[] = [];
    for (const metadata of metadatas) {
      switch (metadata.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          conditions.push(metadata.name === IS_OPTIONAL ? optionalCondition : (metadata.constraints[0] as Condition));
          break;
        case ValidationTypes.IS_DEFINED:
        case ValidationTypes.CUSTOM_VALIDATION:
          checks.push(...this.compileConstraints(targetName, metadata));
          break;
        case ValidationTypes.NESTED_VALIDATION:
          checks.push(this.compileNested(metadata));
          break;
        case ValidationTypes.WHITELIST:
          break; // @Allow: listed, nothing to check
        default:
          checks.push(NEVER); // promise validation, or a type this class does not know
      }
    }
    const passes: ValueCheck = (object, value) => {
      for (let i = 0; i < conditions.length; i++) if (!conditions[i](object, value)) return true; // @IsOptional and the like: skipped
      for (let i = 0; i < checks.length; i++) if (!checks[i](object, value)) return false;
      return true;
    };
    return { name, passes };
  }

  /** The constraint functions behind one decorator; async ones are skipped, as validateSync skips them. */
  private compileConstraints(targetName: string, metadata: ValidationMetadata): ValueCheck[] {
    return this.storage
      .getTargetValidatorConstraints(metadata.constraintCls)
      .filter((constraint) => !constraint.async)
      .map((constraint) => this.compileConstraint(targetName, metadata, constraint.instance));
  }

  /**
   * One constraint function, called as class-validator calls it. `targetName` is fixed when
   * compiling (the checked object's class is the compiled class): reading `constructor.name` per
   * call was a tenth of the cost. The arguments object is one per constraint, refilled per call
   * (class-validator's constraints read it and do not keep it): a fresh one per call was a
   * quarter of the garbage of a bulk import.
   */
  private compileConstraint(targetName: string, metadata: ValidationMetadata, instance: ValidatorConstraintInterface): ValueCheck {
    const { propertyName, constraints, validateIf, each } = metadata;
    const surely = metadata.name === undefined ? undefined : SURELY_PASSES.get(metadata.name);
    const passes = (value: unknown, args: ValidationArguments): boolean => {
      if (surely?.(value, constraints)) return true;
      const result = instance.validate(value, args);
      return !!result && !isPromiseLike(result);
    };
    const args: ValidationArguments = { targetName, property: propertyName, object: {}, value: undefined, constraints };
    return (object, value) => {
      if (validateIf && !validateIf(object, value)) return true;
      args.object = object;
      args.value = value;
      if (each && (value instanceof Set || value instanceof Map)) return false;
      if (!each || !Array.isArray(value)) return passes(value, args);
      for (let i = 0; i < value.length; i++) if (!passes(value[i], args)) return false;
      return true;
    };
  }

  /** @ValidateNested on a single object: that object's own class rules, looked up the way class-validator does. */
  private compileNested(metadata: ValidationMetadata): ValueCheck {
    const targetSchema = typeof metadata.target === 'string' ? metadata.target : metadata.target.name;
    return (_object, value) => {
      if (value === undefined) return true;
      if (!(value instanceof Object) || typeof value !== 'object' || Array.isArray(value) || value instanceof Set || value instanceof Map) return false;
      return this.checkOf(value.constructor as ClassType, targetSchema)(value);
    };
  }
}
