import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '@sark/platform';
import { InProcessGcraLimiter } from './in-process-limiter.js';

/** One request per second, two at once. */
const LIMIT = { perHour: 3600, burst: 2 };

function createLimiter(maxKeys?: number) {
  const clock = { nowMs: 1_700_000_000_000 };
  const limiter = new InProcessGcraLimiter({ now: () => clock.nowMs, maxKeys });
  return { clock, limiter };
}

describe('InProcessGcraLimiter', () => {
  it('refills one request per interval', async () => {
    const { clock, limiter } = createLimiter();
    await limiter.consume('k', LIMIT);
    await limiter.consume('k', LIMIT);

    const denied = await limiter.consume('k', LIMIT);
    clock.nowMs += 999;
    const stillDenied = await limiter.consume('k', LIMIT);
    clock.nowMs += 1;
    const refilled = await limiter.consume('k', LIMIT);
    const empty = await limiter.consume('k', LIMIT);

    assert.deepEqual(denied, { allowed: false, remaining: 0, retryAfterMs: 1000, resetAfterMs: 2000 });
    assert.deepEqual(stillDenied, { allowed: false, remaining: 0, retryAfterMs: 1, resetAfterMs: 1001 });
    assert.deepEqual(refilled, { allowed: true, remaining: 0, retryAfterMs: 0, resetAfterMs: 2000 });
    assert.deepEqual(empty, { allowed: false, remaining: 0, retryAfterMs: 1000, resetAfterMs: 2000 });
  });

  it('is full again after resetAfterMs', async () => {
    const { clock, limiter } = createLimiter();
    await limiter.consume('k', LIMIT);
    const second = await limiter.consume('k', LIMIT);

    clock.nowMs += second.resetAfterMs;
    const decision = await limiter.consume('k', LIMIT);

    assert.deepEqual(decision, { allowed: true, remaining: 1, retryAfterMs: 0, resetAfterMs: 1000 });
  });

  it('rounds sub-millisecond intervals up', async () => {
    const { limiter } = createLimiter();
    const limit = { perHour: 36_000_000, burst: 1 };

    await limiter.consume('k', limit);
    const denied = await limiter.consume('k', limit);

    assert.deepEqual(denied, { allowed: false, remaining: 0, retryAfterMs: 1, resetAfterMs: 1 });
  });

  it('keeps remaining at 0 when the clock goes back', async () => {
    const { clock, limiter } = createLimiter();
    await limiter.consume('k', LIMIT);
    await limiter.consume('k', LIMIT);

    clock.nowMs -= 5000;
    const decision = await limiter.consume('k', LIMIT);

    assert.deepEqual(decision, { allowed: false, remaining: 0, retryAfterMs: 6000, resetAfterMs: 7000 });
  });

  it('sweeps full buckets before evicting at the bound', async () => {
    const { clock, limiter } = createLimiter(3);
    const fast = { perHour: 3_600_000, burst: 1 };
    await limiter.consume('a', fast);
    await limiter.consume('b', LIMIT);
    await limiter.consume('c', LIMIT);
    clock.nowMs += 10;

    await limiter.consume('d', LIMIT);
    const bDecision = await limiter.consume('b', LIMIT);

    assert.equal(limiter.size, 3);
    assert.equal(bDecision.remaining, 0, 'b kept its state because the full bucket a was swept instead');
  });

  it('evicts the least recently admitted key at the bound', async () => {
    const { limiter } = createLimiter(3);
    await limiter.consume('a', LIMIT);
    await limiter.consume('b', LIMIT);
    await limiter.consume('c', LIMIT);
    await limiter.consume('a', LIMIT);

    await limiter.consume('d', LIMIT);
    const bDecision = await limiter.consume('b', LIMIT);
    const aDecision = await limiter.consume('a', LIMIT);

    assert.equal(limiter.size, 3);
    assert.equal(bDecision.remaining, 1, 'b was evicted, so it starts with a full bucket');
    assert.equal(aDecision.allowed, false, 'a was admitted last before d, so it was kept');
  });

  it('evicts a batch of 1% at the bound', async () => {
    const { limiter } = createLimiter(200);
    for (let i = 0; i < 200; i += 1) {
      await limiter.consume(`key-${i}`, LIMIT);
    }

    await limiter.consume('new', LIMIT);

    assert.equal(limiter.size, 199);
  });

  it('rejects an invalid maxKeys', () => {
    for (const maxKeys of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new InProcessGcraLimiter({ maxKeys }),
        (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError for ${maxKeys}`);
          assert.equal(error.field, 'maxKeys');
          return true;
        },
      );
    }
  });
});
