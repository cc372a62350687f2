/**
 * The per-account request budget: RATE_LIMIT_PER_MINUTE requests per account per minute, shared
 * by every key and session of the account, every surface (REST and GraphQL) and, with REDIS_URL,
 * every server process. Each answer carries RateLimit-Limit / -Remaining / -Reset (seconds until
 * the window ends); a refused one also carries Retry-After.
 */
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible'
import type { Config } from '../env.js'
import { AppError } from '../errors.js'
import { metrics, rateLimitRefusals } from '../http/metrics.js'
import { createLimiter, isOverLimit } from './limiters.js'

// One limiter per configuration: apps built with different limits (tests) must not share one.
const limiters = new WeakMap<Config, RateLimiterAbstract>()

function limiterFor(config: Config): RateLimiterAbstract {
  let limiter = limiters.get(config)
  if (!limiter) {
    limiter = createLimiter(config, { keyPrefix: 'rl-account', points: config.RATE_LIMIT_PER_MINUTE, durationSeconds: 60 })
    limiters.set(config, limiter)
  }
  return limiter
}

/** Counts one request against the account; throws RATE_LIMITED (429) when the budget is spent. */
export async function chargeRequest(config: Config, accountId: string, headers: Record<string, string>): Promise<void> {
  const limit = config.RATE_LIMIT_PER_MINUTE
  let result: RateLimiterRes
  try {
    result = await limiterFor(config).consume(accountId)
  } catch (rejection) {
    // A Redis outage must not take the API down with it: the request goes through uncounted.
    if (!isOverLimit(rejection)) return
    if (metrics.on) rateLimitRefusals.inc({ limit: 'account' })
    const retryAfter = String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)))
    Object.assign(headers, { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': '0', 'RateLimit-Reset': retryAfter })
    throw new AppError('RATE_LIMITED', `Rate limit exceeded. Max ${limit} requests per minute.`, { headers: { 'Retry-After': retryAfter } })
  }
  Object.assign(headers, {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(result.remainingPoints),
    'RateLimit-Reset': String(Math.max(0, Math.ceil(result.msBeforeNext / 1000))),
  })
}
