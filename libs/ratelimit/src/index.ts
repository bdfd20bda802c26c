export type { ConsumeOptions, RateLimit, RateLimitDecision, RateLimiter } from './rate-limiter.js';
export { MAX_REFILL_HOURS } from './gcra.js';
export { rateLimitKey } from './keys.js';
export type { RateLimitScope } from './keys.js';
export { InProcessGcraLimiter } from './in-process-limiter.js';
export type { InProcessGcraLimiterOptions } from './in-process-limiter.js';
export { RedisGcraLimiter } from './redis-gcra-limiter.js';
export type { RedisGcraLimiterOptions } from './redis-gcra-limiter.js';
