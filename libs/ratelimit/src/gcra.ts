/**
 * The generic cell rate algorithm (GCRA), shared by the in-process limiter.
 * The Lua script in redis-gcra-limiter.ts implements the same steps.
 *
 * Each key stores one number, the theoretical arrival time (TAT), which is the
 * time at which the bucket is full again. With emission interval T = 1 hour / perHour,
 * a request of cost c is admitted when TAT' = max(TAT, now) + c * T is at most
 * now + burst * T, and then TAT' is stored. All times are integer microseconds
 * so that they stay exact in a double (and in Lua numbers).
 */
import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';
import type { ConsumeOptions, RateLimit, RateLimitDecision } from './rate-limiter.js';

const MICROSECONDS_PER_HOUR = 3_600_000_000;

/**
 * Upper bound on burst / perHour, the time to refill an empty bucket: 10 years.
 * It keeps every TAT below 2^53 microseconds, so that the arithmetic stays exact.
 */
export const MAX_REFILL_HOURS = 87_600;

/** A validated limit in the units the algorithm uses. */
export interface GcraLimit {
  /** Time between two admitted requests at the sustained rate, at least 1. */
  emissionIntervalUs: number;
  burst: number;
  cost: number;
}

/** The result of one decision, in microseconds. */
export interface GcraOutcome {
  allowed: boolean;
  /** The new TAT to store when allowed, or the unchanged TAT when denied. */
  tatUs: number;
  remaining: number;
  retryAfterUs: number;
  resetAfterUs: number;
}

/**
 * Validates a limit and a cost and converts them to algorithm units.
 *
 * The emission interval is rounded up to whole microseconds, so the effective
 * rate never exceeds `perHour`, and rates above 3.6e9 per hour behave as
 * 3.6e9 per hour.
 *
 * @throws InvalidArgumentError naming `perHour`, `burst` or `cost`.
 */
export function toGcraLimit(limit: RateLimit, options: ConsumeOptions = {}): GcraLimit {
  const { perHour, burst } = limit;
  const cost = options.cost ?? 1;
  if (typeof perHour !== 'number' || !Number.isFinite(perHour) || perHour <= 0) {
    throw new InvalidArgumentError('perHour', `must be a finite number greater than 0, got ${String(perHour)}`);
  }
  if (!Number.isSafeInteger(burst) || burst < 1) {
    throw new InvalidArgumentError('burst', `must be an integer of at least 1, got ${String(burst)}`);
  }
  if (!Number.isSafeInteger(cost) || cost < 1 || cost > burst) {
    throw new InvalidArgumentError('cost', `must be an integer from 1 to burst (${burst}), got ${String(cost)}`);
  }

  const emissionIntervalUs = Math.max(1, Math.ceil(MICROSECONDS_PER_HOUR / perHour));
  if (emissionIntervalUs * burst > MAX_REFILL_HOURS * MICROSECONDS_PER_HOUR) {
    const refillHours = burst / perHour;
    throw new InvalidArgumentError('burst', `burst / perHour must be at most ${MAX_REFILL_HOURS} hours, got ${refillHours} hours`);
  }

  return { emissionIntervalUs, burst, cost };
}

/** Rejects an empty rate limit key. */
export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError('key', 'must be a non-empty string');
  }
}

/** Rejects calls on a limiter that was closed. */
export function assertOpen(closed: boolean): void {
  if (closed) {
    throw new FailedPreconditionError('ratelimit.closed', 'the rate limiter is closed, so create a new one');
  }
}

/**
 * Decides one request. `storedTatUs` is undefined for a key without state,
 * which is the same as a full bucket.
 */
export function decideGcra(storedTatUs: number | undefined, nowUs: number, limit: GcraLimit): GcraOutcome {
  const tatUs = Math.max(storedTatUs ?? nowUs, nowUs);
  const toleranceUs = limit.emissionIntervalUs * limit.burst;
  const newTatUs = tatUs + limit.emissionIntervalUs * limit.cost;
  const allowAtUs = newTatUs - toleranceUs;

  if (nowUs < allowAtUs) {
    const remaining = remainingRequests(tatUs - nowUs, toleranceUs, limit.emissionIntervalUs);
    return { allowed: false, tatUs, remaining, retryAfterUs: allowAtUs - nowUs, resetAfterUs: tatUs - nowUs };
  }

  const remaining = remainingRequests(newTatUs - nowUs, toleranceUs, limit.emissionIntervalUs);
  return { allowed: true, tatUs: newTatUs, remaining, retryAfterUs: 0, resetAfterUs: newTatUs - nowUs };
}

function remainingRequests(usedUs: number, toleranceUs: number, emissionIntervalUs: number): number {
  // A clock that moved backwards can make usedUs exceed the tolerance.
  return Math.max(0, Math.floor((toleranceUs - usedUs) / emissionIntervalUs));
}

/** Converts an outcome in microseconds to a decision in whole milliseconds, rounded up. */
export function toRateLimitDecision(outcome: Omit<GcraOutcome, 'tatUs'>): RateLimitDecision {
  return {
    allowed: outcome.allowed,
    remaining: outcome.remaining,
    retryAfterMs: outcome.allowed ? 0 : Math.ceil(outcome.retryAfterUs / 1000),
    resetAfterMs: Math.ceil(outcome.resetAfterUs / 1000),
  };
}
