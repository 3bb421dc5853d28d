import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { InvalidInputError } from '../errors/domain-errors';
import { ID_RULE, parseIdText } from '../ids';

/**
 * `@Param('id', ParseIdPipe)`: a record id from the path, strictly (common/ids.ts): "7", never
 * "07", " 7", "+7", "7.0" or 2^31. Anything else is a 400 naming the parameter; an id in range
 * that names no record is the service's 404. Replaces Nest's which knows no range.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const id = parseIdText(value);
    if (id === null) {
      const field = metadata.data ?? 'id';
      throw InvalidInputError.field(field, `${field} must be ${ID_RULE}`);
    }
    return id;
  }
}
