import { EntityNotFoundError } from 'typeorm';

/** True for the error TypeORM throws when a `findOneOrFail` finds nothing: the error filter answers it with 404. */
export function isEntityNotFound(error: unknown): boolean {
  return error instanceof EntityNotFoundError;
}
