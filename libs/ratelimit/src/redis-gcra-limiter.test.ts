import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError, UnavailableError } from '@sark/platform';
import { Redis, type RedisOptions } from 'ioredis';
import { rateLimitKey } from './keys.js';
import { RedisGcraLimiter } from './redis-gcra-limiter.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = { perHour: 10, burst: 2 };

/** Returns a loopback port on which nothing listens, by opening and closing a server on it. */
async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

describe('RedisGcraLimiter', () => {
  const keyPrefix = `sark:rl:test:${randomUUID()}:`;
  let redis: Redis;
  let limiter: RedisGcraLimiter;

  before(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    limiter = new RedisGcraLimiter({ redis, keyPrefix });
  });

  after(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('stores the hash-tagged key with a TTL', async () => {
    const key = rateLimitKey('peer', 'sark.orga.example');

    const decision = await limiter.consume(key, LIMIT);

    const storedKey = `${keyPrefix}{peer:sark.orga.example}`;
    assert.deepEqual(await redis.keys(`${keyPrefix}*peer:sark.orga.example*`), [storedKey]);
    assert.equal(await redis.exists(storedKey), 1);
    const ttlMs = await redis.pttl(storedKey);
    assert.ok(ttlMs > 0, `PTTL ${ttlMs} ms`);
    assert.ok(ttlMs <= decision.resetAfterMs, `PTTL ${ttlMs} ms, resetAfterMs ${decision.resetAfterMs}`);
  });

  it('leaves the stored TAT unchanged on deny', async () => {
    const key = rateLimitKey('principal', `user-${randomUUID()}`);
    await limiter.consume(key, LIMIT);
    await limiter.consume(key, LIMIT);
    const tatBefore = await redis.get(`${keyPrefix}${key}`);

    const denied = await limiter.consume(key, LIMIT);

    assert.equal(denied.allowed, false);
    assert.match(tatBefore ?? '', /^\d{16,}$/);
    assert.equal(await redis.get(`${keyPrefix}${key}`), tatBefore);
  });

  it('uses the default key prefix', async () => {
    const id = `default-prefix-${randomUUID()}`;
    const defaultLimiter = new RedisGcraLimiter({ redis });
    const storedKey = `sark:rl:{org:${id}}`;

    try {
      await defaultLimiter.consume(rateLimitKey('org', id), LIMIT);
      assert.equal(await redis.exists(storedKey), 1);
    } finally {
      await redis.del(storedKey);
    }
  });

  it('rejects a key prefix with braces', () => {
    assert.throws(
      () => new RedisGcraLimiter({ redis, keyPrefix: 'sark:{rl}:' }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
        assert.equal(error.field, 'keyPrefix');
        return true;
      },
    );
  });

  const unreachableClients: { name: string; options: RedisOptions }[] = [
    { name: 'without offline queue', options: { enableOfflineQueue: false } },
    { name: 'with offline queue', options: { retryStrategy: () => 20 } },
  ];
  for (const { name, options } of unreachableClients) {
    it(`reports unreachable Redis ${name}`, { timeout: 10_000 }, async () => {
      const port = await findClosedPort();
      const unreachable = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 200, ...options });
      // Without a listener, ioredis prints every connection error.
      unreachable.on('error', () => {});
      const unreachableLimiter = new RedisGcraLimiter({ redis: unreachable, keyPrefix });

      try {
        await assert.rejects(unreachableLimiter.consume(rateLimitKey('peer', 'down'), LIMIT), (error: unknown) => {
          assert.ok(error instanceof UnavailableError, `expected UnavailableError, got ${String(error)}`);
          assert.equal(error.code, 'ratelimit.backend_unavailable');
          assert.equal(error.kind, 'unavailable');
          assert.ok(error.cause instanceof Error, 'the ioredis error is kept as cause');
          return true;
        });
      } finally {
        unreachable.disconnect();
      }
    });
  }
});
