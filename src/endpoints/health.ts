/**
 * Liveness and readiness. `/health` answers as long as the process serves requests; `/health/ready`
 * answers 200 only when the database does, within a deadline, so a probe never hangs on a frozen one.
 */
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import { db } from '../db/client.js'
import { jsonResponse } from '../http/respond.js'
import type { AppEnv } from '../http/state.js'

const READY_DEADLINE_MS = 2_000

export function mountHealth(app: Hono<AppEnv>, logger: Logger): void {
  app.get('/health', () => jsonResponse({ status: 'ok' }))
  app.get('/health/ready', async (c) => {
    const database = await withDeadline(
      db.$queryRaw`SELECT 1`.then(() => 'up' as const),
      READY_DEADLINE_MS,
    ).catch((error: unknown) => {
      logger.error({ err: error, request_id: c.var.state.requestId }, 'the database is not ready')
      return 'down' as const
    })
    return database === 'up'
      ? jsonResponse({ status: 'ok', database })
      : jsonResponse({ status: 'unavailable', database }, 503, { 'Retry-After': '5' })
  })
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
