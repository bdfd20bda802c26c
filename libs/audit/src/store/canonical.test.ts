import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { InternalError } from '@sark/platform';

import { canonicalEventJson, canonicalJson, computeEventHash, genesisPrevHash } from './canonical.js';
import type { HashedAuditEvent } from './types.js';

const event: HashedAuditEvent = {
  eventId: '00000000-0000-4000-8000-000000000001',
  sequence: 7,
  correlationId: 'req-1',
  eventType: 'cross_org_authorization',
  principal: 'alice@orga.example',
  resource: null,
  action: 'read',
  decision: 'deny',
  sourceNodeId: 'orga-node-1',
  targetNodeId: null,
  actor: null,
  reason: 'no policy permits "read"',
  peerEventId: null,
  attributes: { z: 1, a: { y: [2, { d: null, c: false }], b: 'é' } },
  recordedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)),
};

const expectedJson =
  '{"sequence":7,"event_id":"00000000-0000-4000-8000-000000000001","correlation_id":"req-1",' +
  '"event_type":"cross_org_authorization","principal":"alice@orga.example","resource":null,"action":"read",' +
  '"decision":"deny","source_node_id":"orga-node-1","target_node_id":null,"actor":null,' +
  '"reason":"no policy permits \\"read\\"","peer_event_id":null,' +
  '"attributes":{"a":{"b":"é","y":[2,{"c":false,"d":null}]},"z":1},"recorded_at":"2025-01-02T03:04:05.006Z"}';

describe('canonical event encoding', () => {
  it('uses fixed field order and sorted attributes', () => {
    assert.equal(canonicalEventJson(event), expectedJson);
  });

  it('hash covers the previous hash bytes', () => {
    const expected = createHash('sha256').update(Buffer.alloc(32)).update(expectedJson, 'utf8').digest('hex');

    assert.equal(genesisPrevHash, '0'.repeat(64));
    assert.equal(computeEventHash(genesisPrevHash, event), expected);
    assert.notEqual(computeEventHash('f'.repeat(64), event), expected);
  });

  it('ignores attribute key insertion order', () => {
    const reordered = { ...event, attributes: { a: { b: 'é', y: [2, { c: false, d: null }] }, z: 1 } };

    assert.equal(canonicalEventJson(reordered), expectedJson);
  });

  it('keeps __proto__ as an ordinary key', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"b":2}') as unknown;

    assert.equal(canonicalJson(parsed), '{"__proto__":{"x":1},"b":2}');
  });

  it('rejects values without a JSON form', () => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1]) {
      assert.throws(() => canonicalJson({ value }), (error: unknown) => {
        assert.ok(error instanceof InternalError);
        assert.equal(error.code, 'audit.not_canonical_json');
        return true;
      });
    }
  });
});
