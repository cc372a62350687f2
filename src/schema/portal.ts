/**
 * Portal sessions: sign in with an account's access code (or, for the operator, the admin
 * token) and receive an HttpOnly, SameSite cookie. Failed attempts are throttled per client
 * address and across all clients, so codes cannot be guessed by brute force.
 */

import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Context } from '../context/context.js'
import { readCookie, SESSION_COOKIE } from '../context/context.js'
import { createLimiter, isOverLimit } from '../context/limiters.js'
import { randomToken, safeEqual, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import { AppError } from '../errors.js'
import { builder } from './builder.js'

const SESSION_HOURS = 12

/** Failures allowed per client address, and across every client, per 15 minutes. */
const PER_CLIENT_FAILURES = 10
const GLOBAL_FAILURES = 300
const WINDOW_SECONDS = 15 * 60

let limiters: { client: RateLimiterAbstract; global: RateLimiterAbstract } | undefined
const loginLimiters = (ctx: Context) =>
  (limiters ??= {
    client: createLimiter(ctx.config, {
      keyPrefix: 'login-fail-ip',
      points: PER_CLIENT_FAILURES,
      durationSeconds: WINDOW_SECONDS,
    }),
    global: createLimiter(ctx.config, { keyPrefix: 'login-fail-all', points: GLOBAL_FAILURES, durationSeconds: WINDOW_SECONDS }),
  })

async function assertNotThrottled(ctx: Context) {
  const { client, global } = loginLimiters(ctx)
  const [mine, everyone] = await Promise.all([client.get(ctx.http.clientIp), global.get('all')])
  const blocked = [mine, everyone].filter((r) => r && r.remainingPoints <= 0)
  if (blocked.length > 0) {
    const seconds = Math.ceil(Math.max(...blocked.map((r) => r!.msBeforeNext)) / 1000)
    throw new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${seconds} seconds.`, {
      headers: { 'Retry-After': String(seconds) },
    })
  }
}

async function recordFailure(ctx: Context): Promise<never> {
  const { client, global } = loginLimiters(ctx)
  await Promise.all(
    [client.consume(ctx.http.clientIp), global.consume('all')].map((p) => p.catch((e) => (isOverLimit(e) ? e : Promise.reject(e)))),
  )
  throw new AppError('UNAUTHENTICATED', 'Wrong access code')
}

function sessionCookie(ctx: Context, token: string, maxAgeSeconds: number) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https://') ? '; Secure' : ''
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`
}

async function openSession(ctx: Context, data: { kind: 'account' | 'admin'; accountId?: string }) {
  const token = randomToken()
  await db.portalSession.create({
    data: { ...data, tokenHash: sha256(token), expiresAt: new Date(Date.now() + SESSION_HOURS * 3_600_000) },
  })
  ctx.http.setCookies.push(sessionCookie(ctx, token, SESSION_HOURS * 3600))
}

const LoginResult = builder.objectRef<{ accountId: string }>('PortalLoginResult').implement({
  fields: (t) => ({
    account: t.prismaField({
      type: 'Account',
      resolve: (query, result) => db.account.findUniqueOrThrow({ ...query, where: { id: result.accountId } }),
    }),
  }),
})

builder.mutationFields((t) => ({
  portalLogin: t.field({
    type: LoginResult,
    description: 'Signs in with an account access code and sets an HttpOnly session cookie (12 hours at most)',
    args: { accessCode: t.arg.string({ required: true }) },
    resolve: async (_root, { accessCode }, ctx) => {
      await assertNotThrottled(ctx)
      const hash = sha256(accessCode.trim())
      const account =
        accessCode.length <= 200
          ? await db.account.findUnique({ where: { accessCodeHash: hash }, select: { id: true, accessCodeHash: true } })
          : null
      if (!account || !safeEqual(account.accessCodeHash, hash)) return recordFailure(ctx)
      await openSession(ctx, { kind: 'account', accountId: account.id })
      return { accountId: account.id }
    },
  }),
  adminLogin: t.boolean({
    description: "Signs the operator in to the portal's admin view with ADMIN_TOKEN (sets the session cookie)",
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, { token }, ctx) => {
      await assertNotThrottled(ctx)
      if (!ctx.config.ADMIN_TOKEN || !safeEqual(token, ctx.config.ADMIN_TOKEN)) return recordFailure(ctx)
      await openSession(ctx, { kind: 'admin' })
      return true
    },
  }),
  portalLogout: t.boolean({
    description: 'Ends the current portal session and clears its cookie',
    resolve: async (_root, _args, ctx) => {
      const token = readCookie(ctx.request.headers.get('cookie'), SESSION_COOKIE)
      if (token) await db.portalSession.updateMany({ where: { tokenHash: sha256(token), endedAt: null }, data: { endedAt: new Date() } })
      ctx.http.setCookies.push(sessionCookie(ctx, '', 0))
      return true
    },
  }),
}))
