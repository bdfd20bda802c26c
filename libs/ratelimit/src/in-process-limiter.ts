import { InvalidArgumentError } from '@sark/platform';
import { assertOpen, decideGcra, toGcraLimit, toRateLimitDecision, validateKey } from './gcra.js';
import type { ConsumeOptions, RateLimit, RateLimitDecision, RateLimiter } from './rate-limiter.js';

export interface InProcessGcraLimiterOptions {
  /** Current time in milliseconds since the epoch. Defaults to `Date.now`. */
  now?: () => number;
  /** Maximum number of keys kept in memory, an integer of at least 1. Defaults to 100_000. */
  maxKeys?: number;
}

/**
 * A GCRA limiter that keeps its state in this process, for nodes that run
 * without Redis. It makes the same decisions as RedisGcraLimiter, but each
 * process counts on its own.
 *
 * Memory: a key whose bucket is full again carries no information, so it is
 * dropped. When a new key would exceed `maxKeys`, all full buckets are swept
 * first. If that frees nothing, the least recently admitted keys are evicted,
 * about 1% of `maxKeys` at once, so the sweep does not run on every new key.
 * An evicted key starts again with a full bucket, so at the bound the limiter
 * admits more than the limits allow rather than denying new keys.
 */
export class InProcessGcraLimiter implements RateLimiter {
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly evictionBatch: number;
  /** TAT in microseconds per key, in order of last admission (oldest first). */
  private readonly tats = new Map<string, number>();
  private closed = false;

  /** @throws InvalidArgumentError naming `maxKeys` when it is not an integer of at least 1. */
  constructor(options: InProcessGcraLimiterOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new InvalidArgumentError('maxKeys', `must be an integer of at least 1, got ${String(maxKeys)}`);
    }

    this.now = options.now ?? Date.now;
    this.maxKeys = maxKeys;
    this.evictionBatch = Math.max(1, Math.ceil(maxKeys / 100));
  }

  /** Number of keys currently kept in memory. */
  get size(): number {
    return this.tats.size;
  }

  async consume(key: string, limit: RateLimit, options?: ConsumeOptions): Promise<RateLimitDecision> {
    assertOpen(this.closed);
    validateKey(key);
    const gcraLimit = toGcraLimit(limit, options);

    const nowUs = Math.floor(this.now() * 1000);
    const outcome = decideGcra(this.tats.get(key), nowUs, gcraLimit);
    if (outcome.allowed) {
      this.store(key, outcome.tatUs, nowUs);
    }

    return toRateLimitDecision(outcome);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tats.clear();
  }

  private store(key: string, tatUs: number, nowUs: number): void {
    if (this.tats.has(key)) {
      // Deleting first moves the key to the end of the admission order.
      this.tats.delete(key);
    } else if (this.tats.size >= this.maxKeys) {
      this.makeRoom(nowUs);
    }

    this.tats.set(key, tatUs);
  }

  private makeRoom(nowUs: number): void {
    for (const [key, tatUs] of this.tats) {
      if (tatUs <= nowUs) {
        this.tats.delete(key);
      }
    }
    if (this.tats.size < this.maxKeys) {
      return;
    }

    const target = Math.max(0, this.maxKeys - this.evictionBatch);
    for (const key of this.tats.keys()) {
      if (this.tats.size <= target) {
        break;
      }
      this.tats.delete(key);
    }
  }
}
