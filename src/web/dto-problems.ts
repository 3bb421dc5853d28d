import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import type { FieldProblem } from '../common/errors/domain-errors';

function validationProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...validationProblems(e.children ?? [], field)];
  });
}

/** The API's checks, run on a request built from a form; problems come back named by API field. */
export async function dtoProblems<T extends object>(cls: new () => T, request: Record<string, unknown>): Promise<{ dto: T; problems: FieldProblem[] }> {
  const dto = plainToInstance(cls, request);
  return { dto, problems: validationProblems(await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) };
}
