import { InvalidArgumentError } from '@sark/platform';

/** A value a caller may put in the request context: Cedar strings, booleans, Longs, sets and records. */
export type PolicyContextValue =
  | string
  | number
  | boolean
  | readonly PolicyContextValue[]
  | { readonly [key: string]: PolicyContextValue };

/** The caller-supplied part of the Cedar context record. */
export type PolicyContext = { readonly [key: string]: PolicyContextValue };

/** Context keys the engine sets itself. A request context must not contain them. */
export const reservedContextKeys: readonly string[] = ['source_org', 'source_node_id', 'cross_org'];

const maxContextDepth = 16;
const contextField = 'request.context';

/**
 * Checks that `context` holds only values Cedar accepts as plain data: strings,
 * booleans, safe integers, arrays and records nested at most 16 deep. Keys
 * starting with `__` are rejected because Cedar's JSON format reads
 * `__entity` and `__extn` as entity and extension escapes. Throws
 * InvalidArgumentError('request.context') naming the offending path.
 */
export function validatePolicyContext(context: unknown): PolicyContext {
  if (!isRecord(context)) {
    throw new InvalidArgumentError(contextField, 'must be a record of named values');
  }

  const reserved = reservedContextKeys.find((key) => Object.hasOwn(context, key));
  if (reserved !== undefined) {
    throw new InvalidArgumentError(contextField, `key "${reserved}" is set by the policy engine and must not be supplied`);
  }

  validateValue(context, '', 0);
  return context as PolicyContext;
}

function validateValue(value: unknown, path: string, depth: number): void {
  if (depth > maxContextDepth) {
    throw new InvalidArgumentError(contextField, `value at ${path} is nested more than ${maxContextDepth} levels deep`);
  }

  if (typeof value === 'string' || typeof value === 'boolean') {
    return;
  }

  if (typeof value === 'number') {
    validateNumber(value, path);
    return;
  }

  if (Array.isArray(value)) {
    value.forEach((element, index) => validateValue(element, `${path}[${index}]`, depth + 1));
    return;
  }

  if (isRecord(value)) {
    validateRecord(value, path, depth);
    return;
  }

  throw new InvalidArgumentError(contextField, `value at ${path} must be a string, boolean, integer, array or record`);
}

function validateNumber(value: number, path: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(contextField, `value at ${path} must be an integer between -(2^53-1) and 2^53-1, got ${value}`);
  }
}

function validateRecord(record: Record<string, unknown>, path: string, depth: number): void {
  for (const [key, child] of Object.entries(record)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (key.startsWith('__')) {
      throw new InvalidArgumentError(contextField, `key ${childPath} must not start with "__"`);
    }

    validateValue(child, childPath, depth + 1);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }

  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
