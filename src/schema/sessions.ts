/**
 * Portal sessions as their people see them: each user lists their own (device, address, last
 * seen) and ends any of them; an owner lists and ends everyone's. Ending one takes effect on every
 * server at its next request (sessions are read from the database each time, never cached).
 */

import type { Principal } from '../context/principal.js'
import { db } from '../db/client.js'
import { AppError, notFound } from '../errors.js'
import { builder } from './builder.js'
import { accountOf, sessionOf } from './tenancy.js'

/** A user's own sessions; the access code's sessions belong to whoever holds the code. */
const ownSessions = (me: Extract<Principal, { kind: 'session' }>) => ({ accountId: me.accountId, userId: me.userId })

builder.prismaObject('PortalSession', {
  description: 'A signed-in portal session',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id the audit log names as portal:<id> for access-code sessions' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it signed in' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When it ends by itself (12 hours after sign-in)' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true, description: 'Its last request, to the minute' }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'The browser it signed in from' }),
    address: t.exposeString('address', { nullable: true, description: 'The address it signed in from' }),
    viaAccessCode: t.boolean({
      description: "Signed in with the account's access code rather than a user's password",
      select: { userId: true },
      resolve: (session) => session.userId === null,
    }),
    current: t.boolean({
      description: 'The session making this request',
      select: { id: true },
      resolve: (session, _args, ctx) => ctx.principal.kind === 'session' && ctx.principal.sessionId === session.id,
    }),
    user: t.relation('user', { nullable: true, description: 'Whose session it is; null for the access code' }),
  }),
})

builder.queryFields((t) => ({
  portalSessions: t.prismaField({
    type: ['PortalSession'],
    description: "Open sessions, newest first: the caller's own, or with everyone: true (owners only) the whole account's",
    authScopes: { session: true },
    args: { everyone: t.arg.boolean({ description: "Every user's sessions (owners only)" }) },
    resolve: (query, _root, args, ctx) => {
      const me = sessionOf(ctx)
      if (args.everyone && me.role !== 'owner')
        throw new AppError('FORBIDDEN', `Not allowed: only an owner sees everyone's sessions (your role: ${me.role})`)
      const whose = args.everyone ? { accountId: accountOf(ctx) } : ownSessions(me)
      return db.portalSession.findMany({
        ...query,
        where: { ...whose, kind: 'account', endedAt: null, expiresAt: { gt: new Date() } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      })
    },
  }),
}))

builder.mutationFields((t) => ({
  endPortalSession: t.boolean({
    description: 'Ends a session: one of your own, or anyone’s for an owner. Ending the current one signs out',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true, description: 'The session' }) },
    resolve: async (_root, args, ctx) => {
      const me = sessionOf(ctx)
      const whose = me.role === 'owner' ? { accountId: me.accountId } : ownSessions(me)
      const { count } = await db.portalSession.updateMany({
        where: { ...whose, id: String(args.id), kind: 'account', endedAt: null },
        data: { endedAt: new Date() },
      })
      if (count === 0) throw notFound('Session not found')
      return true
    },
  }),
}))
