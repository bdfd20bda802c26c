import { createHash } from 'node:crypto';

/** A source of cryptographically strong random bytes, such as `crypto.randomBytes`. */
export type RandomBytes = (size: number) => Buffer;

/** The two parts of a presented API key. */
export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

const keyIdLength = 12;
const secretByteLength = 32;
const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
// 32 bytes in unpadded base64url take 43 characters.
const apiKeyPattern = /^sark_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;
const keyIdPattern = /^[a-z2-7]{12}$/;

/** Returns whether `value` has the form of a key id: 12 characters of lowercase base32 (`a-z`, `2-7`). */
export function isKeyId(value: string): boolean {
  return keyIdPattern.test(value);
}

/** Draws a key id of 12 lowercase base32 characters (60 random bits). */
export function generateKeyId(randomBytes: RandomBytes): string {
  const bytes = randomBytes(keyIdLength);

  // 256 is a multiple of 32, so the low five bits of each byte are uniform.
  return Array.from(bytes, (byte) => base32Alphabet[byte & 31]).join('');
}

/** Draws a secret of 32 random bytes, encoded as 43 characters of unpadded base64url. */
export function generateSecret(randomBytes: RandomBytes): string {
  return randomBytes(secretByteLength).toString('base64url');
}

/** Joins a key id and a secret into the full key `sark_<key id>_<secret>`. */
export function formatApiKey(keyId: string, secret: string): string {
  return `sark_${keyId}_${secret}`;
}

/** Splits a full key `sark_<key id>_<secret>`, or returns undefined when it does not have that form. */
export function parseApiKey(apiKey: string): ParsedApiKey | undefined {
  const match = typeof apiKey === 'string' ? apiKeyPattern.exec(apiKey) : null;
  if (match === null) {
    return undefined;
  }

  return { keyId: match[1] as string, secret: match[2] as string };
}

/**
 * Hashes a secret as SHA-256 over its base64url text, in hex. Hashing the
 * text rather than the decoded bytes means only the exact text returned at
 * creation matches, not other spellings of the same bytes.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
