/**
 * Who may call from a browser on another origin. A session cookie is honoured only for the
 * portal's own origin (PUBLIC_URL's, the request's own, and CORS_CREDENTIAL_ORIGINS): those get
 * CORS with credentials. Any other origin may call with an API key — CORS without credentials,
 * so a page elsewhere can use a key it holds but can never ride on a signed-in user's cookie.
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { Config } from '../env.js'

const allowHeaders = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id']
const exposeHeaders = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed']

/** The origins whose pages may act with the session cookie. */
export function trustedOrigins(config: Config): Set<string> {
  return new Set([new URL(config.PUBLIC_URL).origin, ...config.CORS_CREDENTIAL_ORIGINS])
}

/** Whether a request comes from our own pages, as the browser describes it; non-browsers say nothing. */
export function fromTrustedPage(request: Request, trusted: Set<string>): boolean {
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')
  const own = new URL(request.url).origin
  if (origin) return origin === own || trusted.has(origin)
  return site === null || site === 'same-origin' || site === 'none'
}

export function corsPolicy(config: Config): MiddlewareHandler {
  const trusted = trustedOrigins(config)
  const withCredentials = cors({ origin: (origin) => origin, credentials: true, allowHeaders, exposeHeaders, maxAge: 600 })
  const withKeys = cors({ origin: '*', allowHeaders, exposeHeaders, maxAge: 600 })
  return (c, next) => {
    const origin = c.req.header('origin')
    return (origin && (trusted.has(origin) || origin === new URL(c.req.url).origin) ? withCredentials : withKeys)(c, next)
  }
}
