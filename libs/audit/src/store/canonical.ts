import { createHash } from 'node:crypto';

import { InternalError } from '@sark/platform';

import type { HashedAuditEvent } from './types.js';

/** `prev_hash` of the first event in a trail: 32 zero bytes in hex. */
export const genesisPrevHash = '0'.repeat(64);

/**
 * Encodes an event as canonical JSON: an object with the keys below in this fixed order,
 * absent values as `null`, `recorded_at` as ISO-8601 UTC with milliseconds, and the
 * attributes with object keys sorted by UTF-16 code units at every depth. The encoding
 * depends only on values that survive a round trip through PostgreSQL and PGlite unchanged,
 * so a row read back encodes to the same bytes.
 */
export function canonicalEventJson(event: HashedAuditEvent): string {
  const fields: Array<[string, unknown]> = [
    ['sequence', event.sequence],
    ['event_id', event.eventId],
    ['correlation_id', event.correlationId],
    ['event_type', event.eventType],
    ['principal', event.principal],
    ['resource', event.resource],
    ['action', event.action],
    ['decision', event.decision],
    ['source_node_id', event.sourceNodeId],
    ['target_node_id', event.targetNodeId],
    ['actor', event.actor],
    ['reason', event.reason],
    ['peer_event_id', event.peerEventId],
    ['attributes', event.attributes],
    ['recorded_at', event.recordedAt.toISOString()],
  ];

  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${canonicalJson(value)}`).join(',')}}`;
}

/** Computes `hex(SHA-256(bytes of prevHash || UTF-8 of canonicalEventJson(event)))`. */
export function computeEventHash(prevHash: string, event: HashedAuditEvent): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonicalEventJson(event), 'utf8').digest('hex');
}

/**
 * Serializes a JSON value with object keys sorted at every depth. Callers pass only values
 * that `validateAttributes` accepts or that came from a jsonb column: null, booleans, finite
 * numbers, strings, arrays and plain objects.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }

  throw new InternalError('audit.not_canonical_json', `a ${typeof value} value has no canonical JSON form`);
}
