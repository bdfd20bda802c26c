import { InternalError, InvalidArgumentError, UnavailableError } from '@sark/platform';
import type { Cluster, Redis } from 'ioredis';
import { assertOpen, toGcraLimit, toRateLimitDecision, validateKey } from './gcra.js';
import type { ConsumeOptions, RateLimit, RateLimitDecision, RateLimiter } from './rate-limiter.js';

/**
 * GCRA as one atomic script, the same steps as `decideGcra` in gcra.ts.
 * KEYS[1] contains the TAT in integer microseconds. ARGV: emission interval (us),
 * burst, cost. Returns {allowed (0 or 1), remaining, retry-after (us), reset-after (us)}.
 *
 * The clock is Redis TIME, so every node that shares the Redis shares one
 * clock. Since Redis 5, script effects replication is the default, so replicas
 * receive the SET and not the script, and the script may call TIME before a
 * write. A denied request does not write. The key expires when the bucket is
 * full again, because a missing key means a full bucket. `%.0f` keeps all 16
 * digits of the TAT, which `tostring` would round to 14.
 */
const GCRA_SCRIPT = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local tat = tonumber(redis.call('GET', KEYS[1]) or '') or now
if tat < now then
  tat = now
end
local tolerance = interval * burst
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance

if now < allow_at then
  local remaining = math.max(0, math.floor((tolerance - (tat - now)) / interval))
  return {0, remaining, allow_at - now, tat - now}
end

local reset_after = new_tat - now
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(reset_after / 1000))
local remaining = math.max(0, math.floor((tolerance - reset_after) / interval))
return {1, remaining, 0, reset_after}
`;

const COMMAND_NAME = 'sarkRateLimitGcra';

type GcraCommand = (key: string, emissionIntervalUs: number, burst: number, cost: number) => Promise<unknown>;

export interface RedisGcraLimiterOptions {
  /**
   * A connected ioredis client or cluster. The limiter does not close it.
   * Its timeouts bound how long `consume` can wait: set `commandTimeout`, a
   * small `maxRetriesPerRequest` and, to fail at once while disconnected,
   * `enableOfflineQueue: false`. With the ioredis defaults a call can wait
   * through many reconnect attempts.
   */
  redis: Redis | Cluster;
  /** Prefix added to every key, which must not contain `{` or `}`. Defaults to `sark:rl:`. */
  keyPrefix?: string;
}

/**
 * A GCRA limiter whose state lives in Redis, so all nodes that share the
 * Redis share the limits. Each decision is one script call on one key, so it
 * is atomic and routes to the right shard of a Redis Cluster. Any error from
 * Redis, including a script error, rejects with UnavailableError.
 */
export class RedisGcraLimiter implements RateLimiter {
  private readonly redis: Redis | Cluster;
  private readonly keyPrefix: string;
  private closed = false;

  /** @throws InvalidArgumentError naming `keyPrefix` when it contains `{` or `}`. */
  constructor(options: RedisGcraLimiterOptions) {
    const keyPrefix = options.keyPrefix ?? 'sark:rl:';
    if (keyPrefix.includes('{') || keyPrefix.includes('}')) {
      // A brace in the prefix would become the hash tag instead of the key's own tag.
      throw new InvalidArgumentError('keyPrefix', `must not contain "{" or "}", got ${JSON.stringify(keyPrefix)}`);
    }

    this.redis = options.redis;
    this.keyPrefix = keyPrefix;
    this.redis.defineCommand(COMMAND_NAME, { numberOfKeys: 1, lua: GCRA_SCRIPT });
  }

  async consume(key: string, limit: RateLimit, options?: ConsumeOptions): Promise<RateLimitDecision> {
    assertOpen(this.closed);
    validateKey(key);
    const gcraLimit = toGcraLimit(limit, options);

    const command = (this.redis as unknown as Record<string, GcraCommand>)[COMMAND_NAME] as GcraCommand;
    let reply: unknown;
    try {
      reply = await command.call(this.redis, this.keyPrefix + key, gcraLimit.emissionIntervalUs, gcraLimit.burst, gcraLimit.cost);
    } catch (error) {
      throw new UnavailableError('ratelimit.backend_unavailable', `rate limit backend failed for key ${key}: ${errorMessage(error)}`, {
        cause: error,
      });
    }

    return toRateLimitDecision(parseReply(reply));
  }

  /** Stops the limiter. The Redis client stays open, and its owner quits it. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

function parseReply(reply: unknown): { allowed: boolean; remaining: number; retryAfterUs: number; resetAfterUs: number } {
  const valid = Array.isArray(reply) && reply.length === 4 && reply.every((value) => Number.isSafeInteger(value));
  if (!valid) {
    throw new InternalError('ratelimit.invalid_reply', `rate limit script returned an unexpected reply: ${JSON.stringify(reply)}`);
  }

  const [allowed, remaining, retryAfterUs, resetAfterUs] = reply as number[];
  return { allowed: allowed === 1, remaining: remaining!, retryAfterUs: retryAfterUs!, resetAfterUs: resetAfterUs! };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
