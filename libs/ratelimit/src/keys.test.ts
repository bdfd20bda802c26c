import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '@sark/platform';
import { rateLimitKey, type RateLimitScope } from './keys.js';

function assertInvalid(build: () => string, field: string): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    return true;
  });
}

describe('rateLimitKey', () => {
  it('wraps scope and id in a hash tag', () => {
    assert.equal(rateLimitKey('peer', 'sark.orga.example'), '{peer:sark.orga.example}');
    assert.equal(rateLimitKey('org', 'orga'), '{org:orga}');
    assert.equal(rateLimitKey('principal', 'spiffe://orga/alice'), '{principal:spiffe://orga/alice}');
  });

  it('rejects an empty id', () => {
    assertInvalid(() => rateLimitKey('peer', ''), 'id');
  });

  it('rejects braces in the id', () => {
    assertInvalid(() => rateLimitKey('peer', 'a{b'), 'id');
    assertInvalid(() => rateLimitKey('org', 'a}b'), 'id');
  });

  it('rejects an unknown scope', () => {
    assertInvalid(() => rateLimitKey('tenant' as RateLimitScope, 'a'), 'scope');
  });
});
