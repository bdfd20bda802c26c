import { InternalError } from '@sark/platform';

/** PostgreSQL type OIDs whose text form both backends parse the same way. */
export const INT8_OID = 20;
export const INT8_ARRAY_OID = 1016;

/**
 * Parses the text form of an `int8` into a number. Values beyond `Number.MAX_SAFE_INTEGER`
 * would silently lose precision as a number, so they fail the query instead.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new InternalError('store.int8_out_of_range', `int8 value ${text} is beyond ±2^53 - 1 and cannot be read as a number`);
  }

  return value;
}

/** Converts the elements of an already parsed `int8[]` (strings, possibly nested) into numbers. */
export function convertInt8Array(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(convertInt8Array);
  }

  return typeof value === 'string' ? parseInt8(value) : value;
}
