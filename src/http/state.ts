/**
 * Per-request facts shared by the router's middleware, the endpoints and the resolvers, and the
 * middleware that makes them: a request id (echoed as X-Request-Id), the client address, and what
 * the request adds to its answer (cookies, rate-limit headers). It writes one log line per
 * request, never with keys, cookies or query strings.
 */
import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import { tenantScope } from '../db/tenancy.js'
import { requestIdFor } from './request-id.js'

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
    }
    c.set('state', state)
    // Once authentication names the account (state.accountId), every query is confined to it.
    await tenantScope.run(state, next)
    c.res = withHeaders(c.res, state)
    logger.info({
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      account_id: state.accountId ?? null,
      request_id: state.requestId,
    })
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
