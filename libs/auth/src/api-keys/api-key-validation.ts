import { InvalidArgumentError } from '@sark/platform';
import { isKeyId } from './api-key-format.js';

export const maxScopes = 32;
export const maxDescriptionLength = 256;
export const maxRevokeReasonLength = 256;
/** Ten years of 365 days. */
export const maxTtlSeconds = 10 * 365 * 24 * 60 * 60;
export const defaultPageSize = 100;
export const maxPageSize = 500;

const scopePattern = /^[a-z][a-z0-9_.:-]{0,63}$/;
// Control characters would let a description or reason forge extra lines in logs.
const controlCharacterPattern = /\p{Cc}/u;

/**
 * Validates scopes: at most 32, each a lowercase letter followed by up to 63
 * of `a-z 0-9 _ . : -`, with no duplicates. Throws InvalidArgumentError
 * naming `scopes` or `scopes[i]`.
 */
export function validateScopes(scopes: readonly string[]): string[] {
  if (!Array.isArray(scopes)) {
    throw new InvalidArgumentError('scopes', 'must be a list of strings');
  }

  if (scopes.length > maxScopes) {
    throw new InvalidArgumentError('scopes', `must contain at most ${maxScopes} scopes, got ${scopes.length}`);
  }

  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !scopePattern.test(scope)) {
      throw new InvalidArgumentError(`scopes[${index}]`, 'must be a lowercase letter followed by up to 63 of a-z 0-9 _ . : -');
    }

    if (scopes.indexOf(scope) !== index) {
      throw new InvalidArgumentError(`scopes[${index}]`, `duplicates scope "${scope}"`);
    }
  });

  return [...scopes];
}

/** Validates a key description: at most 256 characters and no control characters. */
export function validateDescription(description: string): string {
  return validateText(description, { field: 'description', minLength: 0, maxLength: maxDescriptionLength });
}

/** Validates a revocation reason: 1-256 characters and no control characters. */
export function validateRevokeReason(reason: string): string {
  return validateText(reason, { field: 'reason', minLength: 1, maxLength: maxRevokeReasonLength });
}

/** Validates a key lifetime: a positive whole number of seconds up to ten years, or undefined for no expiry. */
export function validateTtlSeconds(ttlSeconds: number | undefined): number | undefined {
  if (ttlSeconds === undefined) {
    return undefined;
  }

  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxTtlSeconds) {
    throw new InvalidArgumentError('ttl_seconds', `must be a whole number of seconds from 1 to ${maxTtlSeconds} (ten years), got ${ttlSeconds}`);
  }

  return ttlSeconds;
}

/** Validates a page size from 1 to 500. Undefined and 0 select the default of 100. */
export function validatePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || pageSize === 0) {
    return defaultPageSize;
  }

  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw new InvalidArgumentError('page_size', `must be a whole number from 1 to ${maxPageSize}, got ${pageSize}`);
  }

  return pageSize;
}

/** Validates a key id: 12 characters of lowercase base32. */
export function validateKeyId(keyId: string): string {
  if (typeof keyId !== 'string' || !isKeyId(keyId)) {
    throw new InvalidArgumentError('key_id', 'must be 12 characters of a-z and 2-7');
  }

  return keyId;
}

function validateText(value: string, limits: { field: string; minLength: number; maxLength: number }): string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(limits.field, 'must be a string');
  }

  if (value.length < limits.minLength || value.length > limits.maxLength) {
    throw new InvalidArgumentError(limits.field, `must be ${limits.minLength}-${limits.maxLength} characters, got ${value.length}`);
  }

  if (controlCharacterPattern.test(value)) {
    throw new InvalidArgumentError(limits.field, 'must not contain control characters such as line breaks');
  }

  return value;
}
