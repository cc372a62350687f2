/**
 * Portal sessions: sign in with an account's access code (or, for the operator, the admin
 * token) and receive an HttpOnly, SameSite cookie. Attempts are throttled per client address
 * and network before the credential is looked at (src/context/sign-in-throttle.ts).
 */

import type { Context } from '../context/context.js'
import { readCookie, SESSION_COOKIE } from '../context/context.js'
import { throttledSignIn } from '../context/sign-in-throttle.js'
import { randomToken, safeEqual, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import { builder } from './builder.js'

const SESSION_HOURS = 12

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
      const account = await throttledSignIn(
        ctx.config,
        ctx.http.clientIp,
        async () => {
          const hash = sha256(accessCode.trim())
          const found =
            accessCode.length <= 200
              ? await db.account.findUnique({ where: { accessCodeHash: hash }, select: { id: true, accessCodeHash: true } })
              : null
          return found && safeEqual(found.accessCodeHash, hash) ? found : null
        },
        'Wrong access code',
      )
      await openSession(ctx, { kind: 'account', accountId: account.id })
      return { accountId: account.id }
    },
  }),
  adminLogin: t.boolean({
    description: "Signs the operator in to the portal's admin view with ADMIN_TOKEN (sets the session cookie)",
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, { token }, ctx) => {
      const adminToken = ctx.config.ADMIN_TOKEN
      await throttledSignIn(
        ctx.config,
        ctx.http.clientIp,
        async () => (adminToken && safeEqual(token, adminToken) ? true : null),
        'Wrong access code',
      )
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
