/**
 * Builds the GraphQL context of one request: who is calling (API key, portal session cookie or
 * admin token) and for which account. REST routes reach it through the same Yoga pipeline, so
 * both surfaces authenticate identically.
 */
import { parseApiKey, safeEqual, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError } from '../errors.js'
import { fromTrustedPage, trustedOrigins } from '../http/cors.js'
import type { RequestState } from '../http/state.js'
import { findKey, verifiedKeyFields } from './key-cache.js'
import { accountIdOf, actorOf, type Principal } from './principal.js'
import { chargeRequest } from './rate-limit.js'
import { throttledBearer } from './sign-in-throttle.js'
import { countKeyRequest } from './usage.js'

export const SESSION_COOKIE = 'obq_session'
const LAST_USED_PRECISION_MS = 60_000
/** key or session id → when this process last wrote its lastUsedAt / lastSeenAt (bounded: entries older than a minute are useless). */
const lastUsedWrites = new Map<string, number>()
setInterval(() => {
  const cutoff = Date.now() - LAST_USED_PRECISION_MS
  for (const [id, at] of lastUsedWrites) if (at < cutoff) lastUsedWrites.delete(id)
}, LAST_USED_PRECISION_MS).unref()

/**
 * Whether to record that `id` was used now, given when it was last recorded: at most once a
 * minute, and, within this process, once for concurrent requests of one key or session.
 */
function dueForTouch(id: string, recorded: Date, now: number): boolean {
  if (now - recorded.getTime() <= LAST_USED_PRECISION_MS) return false
  if (now - (lastUsedWrites.get(id) ?? 0) <= LAST_USED_PRECISION_MS) return false
  lastUsedWrites.set(id, now)
  return true
}

export interface Context {
  request: Request
  http: RequestState
  config: Config
  principal: Principal
  /** The account every query of this request is confined to; null for admin and anonymous. */
  accountId: string | null
}

export async function createContext(request: Request, http: RequestState, config: Config): Promise<Context> {
  const principal = await authenticate(request, config, http.clientIp)
  const accountId = accountIdOf(principal)
  http.actor = actorOf(principal)
  if (accountId) {
    http.accountId = accountId
    const keyId = principal.kind === 'apiKey' ? principal.keyId : undefined
    try {
      await chargeRequest(config, accountId, http.headers)
    } catch (error) {
      if (keyId && error instanceof AppError && error.code === 'RATE_LIMITED') countKeyRequest(accountId, keyId, 'refused')
      throw error
    }
    if (keyId) countKeyRequest(accountId, keyId, 'answered')
  }
  return { request, http, config, principal, accountId }
}

async function authenticate(request: Request, config: Config, clientIp: string): Promise<Principal> {
  const header = request.headers.get('authorization')
  if (header !== null) return authenticateBearer(header, config, clientIp)
  const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE)
  if (cookie && fromTrustedPage(request, trustedOrigins(config))) return (await sessionPrincipal(cookie)) ?? { kind: 'anonymous' }
  return { kind: 'anonymous' }
}

async function authenticateBearer(header: string, config: Config, clientIp: string): Promise<Principal> {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim())
  if (!match) throw new AppError('UNAUTHENTICATED', "Malformed Authorization header: expected 'Bearer <API key>'")
  const token = match[1]
  const parsed = parseApiKey(token)
  const isAdmin = Boolean(config.ADMIN_TOKEN && safeEqual(token, config.ADMIN_TOKEN))
  if (!parsed.ok || isAdmin) {
    // Not an API key: a try at ADMIN_TOKEN, throttled per address like a sign-in.
    await throttledBearer(config, clientIp, isAdmin, parsed.ok ? 'Invalid API key' : parsed.reason)
    return { kind: 'admin' }
  }
  // Looked up by the hash's unique index (or found among recently verified keys); the hash is
  // compared again in constant time so the match does not rest on a string comparison alone.
  const key = await findKey(parsed.hash, () => db.apiKey.findUnique({ where: { keyHash: parsed.hash }, select: verifiedKeyFields }))
  if (!key || !safeEqual(key.keyHash, parsed.hash)) throw new AppError('UNAUTHENTICATED', 'Invalid API key')
  const now = Date.now()
  if (key.revokedAt) throw new AppError('UNAUTHENTICATED', 'API key has been revoked')
  if (key.expiresAt && key.expiresAt.getTime() <= now) throw new AppError('UNAUTHENTICATED', 'API key has expired')
  // Recorded with one-minute precision so a busy key does not write on every request.
  if (dueForTouch(key.id, key.lastUsedAt ?? new Date(0), now)) {
    key.lastUsedAt = new Date(now)
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: key.lastUsedAt }, select: { id: true } })
  }
  return { kind: 'apiKey', accountId: key.accountId, keyId: key.id, mode: key.mode, scopes: key.scopes }
}

/**
 * Sessions are read from the database on every request, never cached: ending one (sign-out, a
 * user's removal, an owner ending it) takes effect on every server process at its next request.
 */
async function sessionPrincipal(token: string): Promise<Principal | null> {
  const session = await db.portalSession.findUnique({
    where: { tokenHash: sha256(token) },
    include: { user: { select: { role: true } } },
  })
  const now = Date.now()
  if (!session || session.endedAt || session.expiresAt.getTime() <= now) return null
  if (session.kind === 'admin') return { kind: 'admin' }
  if (!session.accountId) return null
  // The sessions page shows when each was last seen, to the minute; like lastUsedAt of keys.
  if (dueForTouch(session.id, session.lastSeenAt ?? session.createdAt, now)) {
    await db.portalSession.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) }, select: { id: true } })
  }
  // No user: the access code, the owner's way in.
  const role = session.user?.role ?? 'owner'
  return { kind: 'session', accountId: session.accountId, sessionId: session.id, userId: session.userId, role }
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    // Our cookies are base64url and are never encoded: a value is taken as sent, malformed or not.
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
