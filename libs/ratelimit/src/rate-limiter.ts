/**
 * A token-bucket style limit. The bucket contains at most `burst` requests
 * and refills at `perHour` requests per hour.
 */
export interface RateLimit {
  /** Refill rate in requests per hour, finite and greater than 0. */
  perHour: number;
  /** Bucket capacity in requests, an integer of at least 1. */
  burst: number;
}

/** The outcome of one `consume` call. All durations are whole milliseconds, rounded up. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Requests of cost 1 that could be admitted right after this decision. */
  remaining: number;
  /** Time until a retry of the same cost can be admitted, or 0 when allowed. */
  retryAfterMs: number;
  /** Time until the bucket is full again. */
  resetAfterMs: number;
}

export interface ConsumeOptions {
  /** Requests this call counts for, an integer from 1 to `burst`. Defaults to 1. */
  cost?: number;
}

/**
 * Decides whether a request under `key` fits `limit`. Only admitted requests
 * consume capacity, and a denied request leaves the bucket unchanged.
 */
export interface RateLimiter {
  /**
   * Admits or denies one request under `key`.
   *
   * @throws InvalidArgumentError naming the field when `key`, `limit` or `options.cost` is invalid.
   * @throws UnavailableError (`ratelimit.backend_unavailable`) when the backend cannot be reached.
   * @throws FailedPreconditionError (`ratelimit.closed`) after `close()`.
   */
  consume(key: string, limit: RateLimit, options?: ConsumeOptions): Promise<RateLimitDecision>;
  /** Stops the limiter. Later `consume` calls reject with `ratelimit.closed`. */
  close(): Promise<void>;
}
