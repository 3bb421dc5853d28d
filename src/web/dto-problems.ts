import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FieldProblem } from '../common/errors/domain-errors';
import { fieldProblems, VALIDATION_OPTIONS } from '../common/http/validation';

/** The API's checks, run on a request built from a form: the pipe's options, problems named by API field with the API's messages. */
export async function dtoProblems<T extends object>(cls: new () => T, request: Record<string, unknown>): Promise<{ dto: T; problems: FieldProblem[] }> {
  const dto = plainToInstance(cls, request);
  return { dto, problems: fieldProblems(await validate(dto, VALIDATION_OPTIONS)) };
}
