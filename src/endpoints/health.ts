/**
 * Liveness and readiness. `/health` answers as long as the process serves requests; `/health/ready`
 * answers 200 only when the database does, within a deadline, so a probe never hangs on a frozen one.
 * Redis is reported but does not decide readiness: without it every process still serves, only
 * counting rate limits in its own memory ("degraded"), and taking every process out of a load
 * balancer because a shared Redis is down would turn a degraded service into an outage.
 */
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import { redisState } from '../context/redis.js'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { jsonResponse } from '../http/respond.js'
import type { AppEnv } from '../http/state.js'

const READY_DEADLINE_MS = 2_000

export function mountHealth(app: Hono<AppEnv>, config: Config, logger: Logger): void {
  app.get('/health', () => jsonResponse({ status: 'ok' }))
  app.get('/health/ready', async (c) => {
    const database = await withDeadline(
      db.$queryRaw`SELECT 1`.then(() => 'up' as const),
      READY_DEADLINE_MS,
    ).catch((error: Error) => {
      logger.warn({ err: error, reason: error.message, request_id: c.var.state.requestId }, 'readiness: the database is down')
      return 'down' as const
    })
    const redis = redisState(config.REDIS_URL)
    if (database === 'down') return jsonResponse({ status: 'unavailable', database, redis }, 503, { 'Retry-After': '5' })
    return jsonResponse({ status: redis === 'down' ? 'degraded' : 'ok', database, redis })
  })
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
