/**
 * Portal sessions: sign in with a user's email and password, an account's access code (the
 * owner's way in, unless the owner turned it off) or, for the operator, the admin token, and
 * receive an HttpOnly, SameSite cookie. Attempts are throttled per client address and network,
 * and passwords per user too, before the credential is looked at (src/context/sign-in-throttle.ts).
 * A sign-in finds its account from the credential, not from a session the browser already holds:
 * its reads and writes run across accounts (`acrossAccounts`), confined to what the credential names.
 */

import { randomUUID } from 'node:crypto'
import type { Context } from '../context/context.js'
import { readCookie, SESSION_COOKIE } from '../context/context.js'
import { throttledSignIn } from '../context/sign-in-throttle.js'
import { randomToken, safeEqual, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import { acrossAccounts } from '../db/tenancy.js'
import { AppError } from '../errors.js'
import { DUMMY_HASH, verifyPassword } from '../services/users/passwords.js'
import { builder } from './builder.js'

const SESSION_HOURS = 12

function sessionCookie(ctx: Context, token: string, maxAgeSeconds: number) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https://') ? '; Secure' : ''
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`
}

/** Opens a session and sets its cookie; the device and address are kept for the sessions page. */
export async function openSession(ctx: Context, data: { kind: 'account' | 'admin'; accountId?: string; userId?: string }) {
  const token = randomToken()
  const now = new Date()
  const id = randomUUID()
  // The sign-in is attributed to who signed in (the audit log's session.signed_in).
  if (data.kind === 'account') ctx.http.actor = data.userId ? `user:${data.userId}` : `portal:${id}`
  // For the account signed in to, whatever session the browser held before.
  await acrossAccounts(() =>
    db.portalSession.create({
      data: {
        ...data,
        id,
        tokenHash: sha256(token),
        expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
        lastSeenAt: now,
        userAgent: ctx.request.headers.get('user-agent')?.slice(0, 300) || null,
        address: data.kind === 'admin' ? null : ctx.http.clientIp,
      },
    }),
  )
  ctx.http.setCookies.push(sessionCookie(ctx, token, SESSION_HOURS * 3600))
}

/** Ends the account's open access-code sessions: the code was rotated, or its sign-in turned off. Users' sessions stay. */
export const endAccessCodeSessions = (accountId: string) =>
  db.portalSession.updateMany({ where: { accountId, userId: null, endedAt: null }, data: { endedAt: new Date() } })

export const LoginResult = builder.objectRef<{ accountId: string }>('PortalLoginResult').implement({
  description: 'What a sign-in signed in to',
  fields: (t) => ({
    account: t.prismaField({
      type: 'Account',
      description: 'The account signed in to',
      resolve: (query, result) => acrossAccounts(() => db.account.findUniqueOrThrow({ ...query, where: { id: result.accountId } })),
    }),
  }),
})

builder.queryFields((t) => ({
  portalSignedIn: t.boolean({
    description:
      "Whether this request carries an account's live portal session. Never refused, so the sign-in page asks it without an error in the browser's console",
    resolve: (_root, _args, ctx) => ctx.principal.kind === 'session',
  }),
  portalOperator: t.boolean({
    description:
      "Whether this request carries the operator's credentials (the operator's portal session or ADMIN_TOKEN). Never refused, so the portal checks who is signed in without an error in the browser's console",
    resolve: (_root, _args, ctx) => ctx.principal.kind === 'admin',
  }),
}))

builder.mutationFields((t) => ({
  portalLogin: t.field({
    type: LoginResult,
    description: 'Signs in with an account access code and sets an HttpOnly session cookie (12 hours at most)',
    args: { accessCode: t.arg.string({ required: true, description: "The account's portal access code" }) },
    resolve: async (_root, { accessCode }, ctx) => {
      const account = await throttledSignIn(
        ctx.config,
        ctx.http.clientIp,
        async () => {
          const hash = sha256(accessCode.trim())
          const found =
            accessCode.length <= 200
              ? await acrossAccounts(() =>
                  db.account.findUnique({
                    where: { accessCodeHash: hash },
                    select: { id: true, accessCodeHash: true, accessCodeSignIn: true },
                  }),
                )
              : null
          return found && safeEqual(found.accessCodeHash, hash) ? found : null
        },
        'Wrong access code',
      )
      if (!account.accessCodeSignIn)
        throw new AppError('UNAUTHENTICATED', "This account's access code sign-in is turned off: sign in with your email and password")
      await openSession(ctx, { kind: 'account', accountId: account.id })
      return { accountId: account.id }
    },
  }),
  userLogin: t.field({
    type: LoginResult,
    description: 'Signs a user in with their email and password and sets an HttpOnly session cookie (12 hours at most)',
    args: {
      email: t.arg.string({ required: true, description: 'The email the user was invited with' }),
      password: t.arg.string({ required: true, description: 'The password the user chose' }),
    },
    resolve: async (_root, { email, password }, ctx) => {
      const normalised = email.trim().toLowerCase().slice(0, 320)
      const user = await throttledSignIn(
        ctx.config,
        ctx.http.clientIp,
        async () => {
          const found = password.length <= 200 ? await acrossAccounts(() => db.user.findUnique({ where: { email: normalised } })) : null
          // An unknown email costs a hash too, so timing does not tell who has an account.
          const matches = await verifyPassword(password.slice(0, 200), found?.passwordHash ?? (await DUMMY_HASH))
          return found?.passwordHash && matches ? found : null
        },
        'Wrong email or password',
        `user:${normalised}`,
      )
      await openSession(ctx, { kind: 'account', accountId: user.accountId, userId: user.id })
      return { accountId: user.accountId }
    },
  }),
  adminLogin: t.boolean({
    description: "Signs the operator in to the portal's admin view with ADMIN_TOKEN (sets the session cookie)",
    args: { token: t.arg.string({ required: true, description: "The server's ADMIN_TOKEN" }) },
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
