/**
 * GET /metrics: Prometheus' text format (src/http/metrics.ts). It exists, and metrics are
 * recorded, only when METRICS_TOKEN is set; it answers only `Authorization: Bearer <METRICS_TOKEN>`: the metrics name routes,
 * volumes and failure rates, which are not for everyone.
 */
import type { Hono } from 'hono'
import { safeEqual } from '../crypto.js'
import type { Config } from '../env.js'
import { enableMetrics } from '../http/metrics.js'
import { metricsContentType, metricsText } from '../http/metrics-cluster.js'
import type { AppEnv } from '../http/state.js'
import { errorResponse } from '../rest/surfaces.js'

export function mountMetrics(app: Hono<AppEnv>, config: Config): void {
  const token = config.METRICS_TOKEN
  if (!token) return
  enableMetrics()
  app.get('/metrics', async (c) => {
    const given = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]
    if (!given || !safeEqual(given, token))
      return errorResponse(c.req.path, 401, 'Send Authorization: Bearer <METRICS_TOKEN>', { 'WWW-Authenticate': 'Bearer' })
    return new Response(await metricsText(), { headers: { 'Content-Type': metricsContentType } })
  })
}
