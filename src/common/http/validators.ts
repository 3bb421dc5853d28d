import { registerDecorator, ValidationOptions } from 'class-validator';
import { isIsoDate } from '../dates';
import { isCurrencyCode } from '../money/iso4217';

/** A real calendar date written YYYY-MM-DD. */
export function IsIsoDate(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDate',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a real date written YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
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
