import type { ValueTransformer } from 'typeorm';

/**
 * bigint columns come back as a number from SQLite and a string from PostgreSQL. Money lives in
 * the domain as a JS bigint, so both are turned into one, and refused if SQLite already lost
 * precision (above 2^53).
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | number | bigint | null) => toBigInt(value),
};

export function toBigInt(value: string | number | bigint | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Integer ${value} from the database is not exact`);
    return BigInt(value);
  }
  return BigInt(value);
}

/** COUNT/SUM from raw queries: numbers on SQLite, strings on PostgreSQL. One place reads them. */
export function aggregateToBigInt(value: string | number | bigint | null | undefined): bigint {
  return toBigInt(value) ?? 0n;
}

export function aggregateToNumber(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}
