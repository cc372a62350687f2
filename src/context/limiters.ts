/**
 * Counters that must hold across server processes when there are several: in Redis when
 * REDIS_URL is set, in memory otherwise (rate-limiter-flexible handles both with one API and
 * does the Redis side atomically).
 */
import { Redis } from 'ioredis'
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'

export interface LimiterOptions {
  keyPrefix: string
  points: number
  durationSeconds: number
  /** Seconds a key stays blocked once over the limit (default: until the window ends). */
  blockSeconds?: number
  /** With Redis: while it is unreachable, count in this process's memory instead of failing. */
  memoryInsurance?: boolean
}

let redis: Redis | undefined

export function redisClient(url: string): Redis {
  redis ??= new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false })
  return redis
}

export async function closeRedis(): Promise<void> {
  const client = redis
  redis = undefined
  await client?.quit().catch(() => client.disconnect())
}

export function createLimiter(redisUrl: string | undefined, options: LimiterOptions): RateLimiterAbstract {
  const common = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  }
  if (!redisUrl) return new RateLimiterMemory(common)
  const insuranceLimiter = options.memoryInsurance ? new RateLimiterMemory(common) : undefined
  return new RateLimiterRedis({ ...common, storeClient: redisClient(redisUrl), insuranceLimiter })
}

/** rate-limiter-flexible rejects with a result object when over the limit, an Error on failure. */
export const isOverLimit = (rejection: unknown): rejection is { msBeforeNext: number; remainingPoints: number } =>
  typeof rejection === 'object' && rejection !== null && !(rejection instanceof Error) && 'msBeforeNext' in rejection
