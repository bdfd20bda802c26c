import { createHash } from 'node:crypto';

import type { Queryable } from './database.js';

/**
 * Derives a PostgreSQL advisory lock key (a signed 64-bit integer, as a decimal string) from
 * a name: the first 8 bytes of SHA-256 of the name. Every process derives the same key.
 */
export function advisoryLockKey(name: string): string {
  const digest = createHash('sha256').update(name, 'utf8').digest();

  return digest.readBigInt64BE(0).toString();
}

/**
 * Takes the transaction-scoped advisory lock for `name`, waiting until no other transaction
 * holds it. PostgreSQL releases it at COMMIT or ROLLBACK, so `tx` must be inside a transaction.
 */
export async function lockForTransaction(tx: Queryable, name: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(name)]);
}
