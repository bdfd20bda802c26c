import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';
import { Redis } from 'ioredis';
import { InProcessGcraLimiter } from './in-process-limiter.js';
import type { RateLimit, RateLimiter } from './rate-limiter.js';
import { RedisGcraLimiter } from './redis-gcra-limiter.js';

/** 10 per hour: one request every 360_000 ms, so no refill happens during a test. */
const SLOW: RateLimit = { perHour: 10, burst: 5 };
const SLOW_INTERVAL_MS = 360_000;

/** 14_400 per hour: one request every 250 ms, short enough to wait for in a test. */
const FAST: RateLimit = { perHour: 14_400, burst: 2 };
const FAST_INTERVAL_MS = 250;

interface Harness {
  limiter: RateLimiter;
  /** Lets `ms` pass on the clock the limiter uses. */
  advance(ms: number): Promise<void>;
  /** Time passed on the limiter's clock since `mark()`, rounded up to whole ms. */
  elapsedMs(): number;
  mark(): void;
}

interface Subject {
  name: string;
  setUp(): Promise<void>;
  create(): Harness;
  tearDown(): Promise<void>;
}

function inProcessSubject(): Subject {
  return {
    name: 'InProcessGcraLimiter',
    setUp: async () => {},
    create: () => {
      let nowMs = 1_700_000_000_000;
      let markMs = nowMs;
      return {
        limiter: new InProcessGcraLimiter({ now: () => nowMs }),
        advance: async (ms) => {
          nowMs += ms;
        },
        elapsedMs: () => nowMs - markMs,
        mark: () => {
          markMs = nowMs;
        },
      };
    },
    tearDown: async () => {},
  };
}

function redisSubject(): Subject {
  const keyPrefix = `sark:rl:test:${randomUUID()}:`;
  let redis: Redis | undefined;
  return {
    name: 'RedisGcraLimiter',
    setUp: async () => {
      redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    },
    create: () => {
      let markMs = Date.now();
      // Each harness gets its own prefix, so cases never share keys.
      const limiter = new RedisGcraLimiter({ redis: redis!, keyPrefix: `${keyPrefix}${randomUUID()}:` });
      return {
        limiter,
        // The margin covers timers firing up to 1 ms early and the gap between Node's clock and Redis TIME.
        advance: (ms) => sleep(ms + 5),
        elapsedMs: () => Date.now() - markMs + 1,
        mark: () => {
          markMs = Date.now();
        },
      };
    },
    tearDown: async () => {
      await deleteKeys(redis!, keyPrefix);
      await redis!.quit();
    },
  };
}

async function deleteKeys(redis: Redis, keyPrefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    cursor = next;
  } while (cursor !== '0');
}

for (const subject of [inProcessSubject(), redisSubject()]) {
  describe(`${subject.name} contract`, () => {
    before(() => subject.setUp());
    after(() => subject.tearDown());

    it('admits the burst then denies', async () => {
      const { limiter, elapsedMs, mark } = subject.create();
      mark();

      for (let i = 0; i < SLOW.burst; i += 1) {
        const decision = await limiter.consume('{peer:a}', SLOW);
        assert.equal(decision.allowed, true, `call ${i + 1} of the burst`);
        assert.equal(decision.retryAfterMs, 0);
      }
      const denied = await limiter.consume('{peer:a}', SLOW);
      const elapsed = elapsedMs();

      assert.equal(denied.allowed, false);
      assert.equal(denied.remaining, 0);
      assert.ok(denied.retryAfterMs <= SLOW_INTERVAL_MS, `retryAfterMs ${denied.retryAfterMs} > ${SLOW_INTERVAL_MS}`);
      assert.ok(denied.retryAfterMs >= SLOW_INTERVAL_MS - elapsed, `retryAfterMs ${denied.retryAfterMs} < ${SLOW_INTERVAL_MS} - ${elapsed}`);
    });

    it('counts remaining down', async () => {
      const { limiter, elapsedMs, mark } = subject.create();
      mark();

      for (let used = 1; used <= SLOW.burst; used += 1) {
        const decision = await limiter.consume('{org:a}', SLOW);
        const elapsed = elapsedMs();

        assert.equal(decision.remaining, SLOW.burst - used);
        assert.ok(decision.resetAfterMs <= used * SLOW_INTERVAL_MS, `resetAfterMs ${decision.resetAfterMs} after ${used}`);
        assert.ok(decision.resetAfterMs >= used * SLOW_INTERVAL_MS - elapsed, `resetAfterMs ${decision.resetAfterMs} after ${used}`);
      }
      const denied = await limiter.consume('{org:a}', SLOW);
      assert.equal(denied.allowed, false);
      assert.equal(denied.remaining, 0);
      assert.ok(denied.resetAfterMs <= SLOW.burst * SLOW_INTERVAL_MS);
      assert.ok(denied.resetAfterMs >= SLOW.burst * SLOW_INTERVAL_MS - elapsedMs());
    });

    it('admits exactly burst of 50 parallel calls', async () => {
      const { limiter } = subject.create();
      const limit = { perHour: 10, burst: 10 };

      const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.consume('{principal:p}', limit)));

      const allowed = decisions.filter((decision) => decision.allowed);
      assert.equal(allowed.length, 10);
      assert.deepEqual(
        allowed.map((decision) => decision.remaining).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.ok(decisions.filter((decision) => !decision.allowed).every((decision) => decision.retryAfterMs > 0));
    });

    it('denied calls do not consume', async () => {
      const { limiter, advance } = subject.create();
      await limiter.consume('{peer:b}', FAST);
      await limiter.consume('{peer:b}', FAST);

      let retryAfterMs = 0;
      for (let i = 0; i < 5; i += 1) {
        const denied = await limiter.consume('{peer:b}', FAST);
        assert.equal(denied.allowed, false, `denied call ${i + 1}`);
        assert.ok(denied.retryAfterMs > 0, `retryAfterMs ${denied.retryAfterMs}`);
        assert.ok(denied.retryAfterMs <= FAST_INTERVAL_MS, `retryAfterMs ${denied.retryAfterMs}`);
        retryAfterMs = denied.retryAfterMs;
      }
      await advance(retryAfterMs);
      const retried = await limiter.consume('{peer:b}', FAST);

      assert.equal(retried.allowed, true);
      assert.equal(retried.retryAfterMs, 0);
    });

    it('keeps separate keys independent', async () => {
      const { limiter } = subject.create();
      await limiter.consume('{peer:x}', FAST);
      await limiter.consume('{peer:x}', FAST);

      const exhausted = await limiter.consume('{peer:x}', FAST);
      const other = await limiter.consume('{peer:y}', FAST);

      assert.equal(exhausted.allowed, false);
      assert.equal(other.allowed, true);
      assert.equal(other.remaining, FAST.burst - 1);
    });

    it('charges the cost', async () => {
      const { limiter, elapsedMs, mark } = subject.create();
      mark();

      const first = await limiter.consume('{org:c}', SLOW, { cost: 3 });
      const tooMuch = await limiter.consume('{org:c}', SLOW, { cost: 3 });
      const elapsed = elapsedMs();
      const rest = await limiter.consume('{org:c}', SLOW, { cost: 2 });

      assert.equal(first.allowed, true);
      assert.equal(first.remaining, 2);
      assert.equal(tooMuch.allowed, false);
      assert.equal(tooMuch.remaining, 2);
      assert.ok(tooMuch.retryAfterMs <= SLOW_INTERVAL_MS, `retryAfterMs ${tooMuch.retryAfterMs}`);
      assert.ok(tooMuch.retryAfterMs >= SLOW_INTERVAL_MS - elapsed, `retryAfterMs ${tooMuch.retryAfterMs}`);
      assert.equal(rest.allowed, true);
      assert.equal(rest.remaining, 0);
    });

    const invalidCases: { name: string; key?: string; limit: RateLimit; cost?: number; field: string }[] = [
      { name: 'perHour 0', limit: { perHour: 0, burst: 1 }, field: 'perHour' },
      { name: 'negative perHour', limit: { perHour: -5, burst: 1 }, field: 'perHour' },
      { name: 'NaN perHour', limit: { perHour: Number.NaN, burst: 1 }, field: 'perHour' },
      { name: 'infinite perHour', limit: { perHour: Number.POSITIVE_INFINITY, burst: 1 }, field: 'perHour' },
      { name: 'burst 0', limit: { perHour: 10, burst: 0 }, field: 'burst' },
      { name: 'fractional burst', limit: { perHour: 10, burst: 1.5 }, field: 'burst' },
      { name: 'NaN burst', limit: { perHour: 10, burst: Number.NaN }, field: 'burst' },
      { name: 'refill over 10 years', limit: { perHour: 1, burst: 87_601 }, field: 'burst' },
      { name: 'cost 0', limit: SLOW, cost: 0, field: 'cost' },
      { name: 'fractional cost', limit: SLOW, cost: 1.5, field: 'cost' },
      { name: 'cost above burst', limit: SLOW, cost: SLOW.burst + 1, field: 'cost' },
      { name: 'empty key', key: '', limit: SLOW, field: 'key' },
    ];
    for (const testCase of invalidCases) {
      it(`rejects ${testCase.name}`, async () => {
        const { limiter } = subject.create();

        const consumed = limiter.consume(testCase.key ?? '{peer:v}', testCase.limit, { cost: testCase.cost });

        await assert.rejects(consumed, (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
          assert.equal(error.field, testCase.field);
          assert.equal(error.code, 'request.invalid_argument');
          return true;
        });
      });
    }

    it('accepts the longest refill', async () => {
      const { limiter } = subject.create();

      const decision = await limiter.consume('{peer:long}', { perHour: 1, burst: 87_600 });

      assert.equal(decision.allowed, true);
      assert.equal(decision.remaining, 87_599);
      assert.equal(decision.resetAfterMs, 3_600_000);
    });

    it('rejects calls after close', async () => {
      const { limiter } = subject.create();
      await limiter.close();

      await assert.rejects(limiter.consume('{peer:closed}', SLOW), (error: unknown) => {
        assert.ok(error instanceof FailedPreconditionError, `expected FailedPreconditionError, got ${String(error)}`);
        assert.equal(error.code, 'ratelimit.closed');
        return true;
      });
    });
  });
}
