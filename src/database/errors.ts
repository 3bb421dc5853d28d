import { EntityNotFoundError } from 'typeorm';

/** TypeORM's "findOneOrFail found nothing", recognised here so layers outside src/database need not import TypeORM. */
export function isEntityNotFound(error: unknown): boolean {
  return error instanceof EntityNotFoundError;
}
