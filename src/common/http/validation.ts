import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { FieldProblem } from '../errors/domain-errors';
import { ILL_FORMED_TEXT } from '../text';
import { emptyUpdateProblem } from './validators';

/** class-validator's errors as the contract's `details`: one `{ field, message }` per message, nested fields as `inKind.quantity`. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) problems.push({ field, message });
    if (error.children?.length) problems.push(...fieldProblems(error.children, field));
  }
  return problems;
}

/** How every body is validated, by the pipe and by the pages (web/dto-problems.ts): unknown fields refused, every problem reported. */
export const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: false } as const;

function badRequest(details: FieldProblem[]): BadRequestException {
  return new BadRequestException({
    message: details.map((d) => (d.message.startsWith(d.field) ? d.message : `${d.field}: ${d.message}`)).join('; '),
    details,
  });
}

/**
 * Nest's pipe, with two changes:
 * - a path or query value typed `number` is left as the text it came as: Nest would convert it
 *   with `+value`, which reads " 1", "1e3", "0x10" and "" as numbers (so `/api/pledges/%201` was
 *   pledge 1); ParseIdPipe and the query parsers read numbers strictly instead;
 * - the one rule about a body as a whole: a PATCH body must name a field to change.
 */
class LedgerValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.metatype === Number) return value;
    return super.transformPrimitive(value, metadata);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Some validators (isEmail's byte-length check) throw on a lone surrogate instead of refusing it.
    const broken = metadata.type === 'custom' ? null : illFormedText(value, metadata.data ?? '');
    if (broken !== null) throw badRequest([{ field: broken, message: `${broken} ${ILL_FORMED_TEXT}` }]);
    const dto: unknown = await super.transform(value, metadata);
    const empty = metadata.type === 'body' ? emptyUpdateProblem(dto) : null;
    if (empty) throw badRequest([empty]);
    return dto;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (or key) in `value` that is not well-formed UTF-16, or null. */
function illFormedText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || 'body' : null;
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (LONE_SURROGATE.test(key)) return at;
    const found = illFormedText(item, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** The contract's error body needs field names; Nest's default gives only an array of strings. */
export function createValidationPipe(): ValidationPipe {
  return new LedgerValidationPipe({
    ...VALIDATION_OPTIONS,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => badRequest(fieldProblems(errors)),
  });
}
