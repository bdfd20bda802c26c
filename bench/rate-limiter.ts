// Measures GCRA decisions per second: the Redis script against real Redis
// (REDIS_URL) and the in-process limiter, sequentially and with many calls in
// flight.
//
// Usage: node --conditions=development --import tsx bench/rate-limiter.ts [--decisions N]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { InProcessGcraLimiter, RedisGcraLimiter, rateLimitKey, type RateLimiter } from '@sark/ratelimit';

const { values } = parseArgs({ options: { decisions: { type: 'string', default: '20000' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('usage: bench/rate-limiter.ts [--decisions N (default 20000)]');
  process.exit(0);
}
const decisions = Number(values.decisions);
const limit = { perHour: 1e9, burst: 1_000_000 };
const keyPrefix = `sark:bench:${process.pid}:`;

async function measure(name: string, limiter: RateLimiter, inFlight: number): Promise<void> {
  const keys = Array.from({ length: 100 }, (_, i) => rateLimitKey('peer', `node-${i}.orga.example`));
  let next = 0;
  const startedAt = performance.now();

  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < decisions) {
        next += 1;
        await limiter.consume(keys[next % keys.length]!, limit);
      }
    }),
  );

  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`${name}, ${inFlight} in flight: ${(decisions / seconds).toFixed(0)} decisions/s (${((seconds * 1e6) / decisions).toFixed(1)} µs each)`);
}

const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
const redisLimiter = new RedisGcraLimiter({ redis, keyPrefix });
const inProcess = new InProcessGcraLimiter();

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, Node.js ${process.version}`);
for (const inFlight of [1, 64]) {
  await measure('Redis GCRA script', redisLimiter, inFlight);
  await measure('in-process GCRA', inProcess, inFlight);
}

const leftovers = await redis.keys(`${keyPrefix}*`);
if (leftovers.length > 0) {
  await redis.del(...leftovers);
}
await redisLimiter.close();
await inProcess.close();
redis.disconnect();
