/**
 * Per-request facts shared by the router's middleware, the endpoints and the resolvers, and the
 * middleware that makes them: a request id (echoed as X-Request-Id), the client address, and what
 * the request adds to its answer (cookies, rate-limit headers). It writes one log line per
 * request, never with keys, cookies or query strings.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from 'pino'
import { tenantScope } from '../db/tenancy.js'
import { httpDuration, httpRequests, metrics } from './metrics.js'
import { requestIdFor } from './request-id.js'
import { inSpan } from './tracing.js'

export interface RequestState {
  requestId: string
  clientIp: string
  /** Set once the caller is known, for the request log. */
  accountId?: string
  /** Who is acting, once known: the change feed records it with every change (src/db/change-tags.ts). */
  actor?: string
  /** Cookies a resolver wants set on the answer (portal sign-in and sign-out). */
  setCookies: string[]
  /** Headers to add to the answer (rate limit). */
  headers: Record<string, string>
  /** While an idempotent request runs: the scopes it was authorised with, kept with its answer. */
  scopesUsed?: Set<string>
  /** The server's logger, for what a resolver handles but an operator should see (with request_id). */
  logger: Logger
}

/** The router's environment: per-request state, and what the Node server passes in. */
export interface AppEnv {
  Variables: { state: RequestState }
  Bindings: { clientIp?: string }
}

export const requestState =
  (logger: Logger): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now()
    const state: RequestState = {
      requestId: requestIdFor(c.req.header('x-request-id')),
      clientIp: c.env?.clientIp ?? 'local',
      setCookies: [],
      headers: {},
      logger,
    }
    c.set('state', state)
    let route: string | undefined
    const traceId = await inSpan(
      'HTTP request',
      { kind: 'server', headers: c.req.raw.headers, attributes: { 'http.request.method': c.req.method, request_id: state.requestId } },
      async (span) => {
        // Once authentication names the account (state.accountId), every query is confined to it.
        await tenantScope.run(state, next)
        if (span.traceId) {
          route = routeTemplate(c)
          span.rename(`${c.req.method} ${route}`)
          span.set({ 'http.route': route, 'http.response.status_code': c.res.status, account_id: state.accountId })
        }
        return span.traceId
      },
    )
    c.res = withHeaders(c.res, state)
    const duration = performance.now() - started
    if (metrics.on) {
      const labels = { method: c.req.method, route: route ?? routeTemplate(c), status: c.res.status }
      httpRequests.inc(labels)
      httpDuration.observe(labels, duration / 1000)
    }
    logger.info({
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round(duration * 100) / 100,
      account_id: state.accountId ?? null,
      request_id: state.requestId,
      ...(traceId && { trace_id: traceId }),
    })
  }

/**
 * The route template that answers (`/v1/customers/:customerId`), never the raw path, so metric
 * labels stay bounded: the first matching route that is not middleware, or `unmatched` (404, 405).
 */
export function routeTemplate(c: Context): string {
  for (const route of matchedRoutes(c)) if (route.method !== 'ALL') return route.path
  return 'unmatched'
}

/** Adds the request id, cookies and per-request headers; copies the answer if its headers are frozen. */
function withHeaders(response: Response, state: RequestState): Response {
  let answer = response
  try {
    answer.headers.set('X-Request-Id', state.requestId)
  } catch {
    answer = new Response(response.body, response)
    answer.headers.set('X-Request-Id', state.requestId)
  }
  for (const cookie of state.setCookies) answer.headers.append('Set-Cookie', cookie)
  for (const [name, value] of Object.entries(state.headers)) answer.headers.set(name, value)
  return answer
}
