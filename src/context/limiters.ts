/**
 * Counters that must hold across server processes when there are several: in Redis when
 * REDIS_URL is set, in memory otherwise (rate-limiter-flexible handles both with one API and
 * does the Redis side atomically). While Redis is unreachable, a Redis-backed limiter counts in
 * this process's memory instead (its insurance limiter), so requests are neither refused nor
 * slowed by the outage; the budget is then per process until Redis is back.
 */
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import type { Config } from '../env.js'
import { redisClient } from './redis.js'

export interface LimiterOptions {
  keyPrefix: string
  points: number
  durationSeconds: number
  /** Seconds a key stays blocked once over the limit (default: until the window ends). */
  blockSeconds?: number
}

export type RedisConfig = Pick<Config, 'REDIS_URL' | 'REDIS_CONNECT_TIMEOUT_MS' | 'REDIS_COMMAND_TIMEOUT_MS'>

export function createLimiter(config: RedisConfig, options: LimiterOptions): RateLimiterAbstract {
  const common = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  }
  if (!config.REDIS_URL) return new RateLimiterMemory(common)
  return new RateLimiterRedis({
    ...common,
    storeClient: redisClient(config.REDIS_URL, redisTimeouts(config)),
    insuranceLimiter: new RateLimiterMemory(common),
  })
}

export const redisTimeouts = (config: RedisConfig) => ({
  connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
  commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
})

/** rate-limiter-flexible rejects with a result object when over the limit, an Error on failure. */
export const isOverLimit = (rejection: unknown): rejection is { msBeforeNext: number; remainingPoints: number } =>
  typeof rejection === 'object' && rejection !== null && !(rejection instanceof Error) && 'msBeforeNext' in rejection
