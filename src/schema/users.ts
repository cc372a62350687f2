/**
 * The account's people: users with a role, invited by an owner or admin through a single-use
 * link, signing in with email and password (docs/users.md). The access code stays the owner's
 * way in until an owner turns it off.
 */
import { z } from 'zod'
import type { Context } from '../context/context.js'
import { type Principal, ROLE_GRANTS, ROLES, type Role } from '../context/principal.js'
import { throttledSignIn } from '../context/sign-in-throttle.js'
import { db } from '../db/client.js'
import { acrossAccounts } from '../db/tenancy.js'
import { AppError, badRequest, conflict, isUniqueViolation, notFound } from '../errors.js'
import { type EmailOutcome, emailLink } from '../services/users/link-email.js'
import { findLink, type IssuedLink, issueLink, useLink } from '../services/users/links.js'
import { hashPassword, passwordProblem } from '../services/users/passwords.js'
import { revokeKeys } from './api-keys.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { endAccessCodeSessions, LoginResult, openSession } from './portal.js'
import { email, requiredText } from './rules.js'
import { accountOf, sessionOf } from './tenancy.js'

const RoleType = builder.enumType('Role', {
  description: 'What a user may do (docs/users.md has the table of scopes and powers)',
  values: {
    OWNER: { value: 'owner' as const, description: 'Everything, including managing other owners and turning the access code off' },
    ADMIN: { value: 'admin' as const, description: 'Everything but touching owners: users, keys, integrations, webhooks, settings' },
    MEMBER: { value: 'member' as const, description: 'Reads and writes CRM and lead data; manages nothing' },
    VIEWER: { value: 'viewer' as const, description: 'Reads only' },
  },
})

const EmailOutcomeType = builder.enumType('LinkEmail', {
  description: 'Whether a link also went out by email',
  values: {
    SENT: { value: 'sent' as const, description: "Sent through the account's email integration" },
    NOT_CONFIGURED: { value: 'not_configured' as const, description: 'The account has no email integration: hand the link over yourself' },
    FAILED: { value: 'failed' as const, description: 'The email integration failed: hand the link over yourself' },
  },
})

const RemovedUserKeys = builder.enumType('RemovedUserKeys', {
  description: 'What happens to the API keys a removed user created',
  values: {
    REVOKE: { value: 'revoke' as const, description: 'Revoke them with the user' },
    KEEP: { value: 'keep' as const, description: 'Keep them working; they no longer name a creator' },
  },
})

builder.prismaObject('User', {
  description: 'A person who signs in to the portal',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id the audit log names as user:<id>' }),
    email: t.exposeString('email', { description: 'Lower-cased; how the user signs in' }),
    name: t.exposeString('name', { description: 'Shown in the portal' }),
    role: t.expose('role', { type: RoleType, description: "The user's role" }),
    invited: t.boolean({
      description: 'True until the user accepts the invitation and chooses a password',
      select: { passwordHash: true },
      resolve: (user) => user.passwordHash === null,
    }),
    activeApiKeyCount: t.relationCount('apiKeys', {
      where: { revokedAt: null },
      description: 'Unrevoked API keys this user created (removing the user asks what to do with them)',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the user was invited' }),
  }),
})

const Me = builder.objectRef<{ principal: Extract<Principal, { kind: 'session' }> }>('PortalMe').implement({
  description: 'Who is signed in to the portal, and what they may do',
  fields: (t) => ({
    role: t.field({
      type: RoleType,
      description: 'The role; the access code signs in as owner',
      resolve: ({ principal }) => principal.role,
    }),
    user: t.prismaField({
      type: 'User',
      nullable: true,
      description: 'The signed-in user; null when signed in with the access code',
      resolve: (query, { principal }) => (principal.userId ? db.user.findUnique({ ...query, where: { id: principal.userId } }) : null),
    }),
    scopes: t.stringList({ description: "The role's API scopes", resolve: ({ principal }) => [...ROLE_GRANTS[principal.role].scopes] }),
    powers: t.stringList({ description: "The role's portal powers", resolve: ({ principal }) => [...ROLE_GRANTS[principal.role].powers] }),
    accessCodeSignIn: t.boolean({
      description: "Whether the account's access code still signs in (as owner)",
      resolve: async ({ principal }) =>
        (await db.account.findUniqueOrThrow({ where: { id: principal.accountId }, select: { accessCodeSignIn: true } })).accessCodeSignIn,
    }),
  }),
})

const LinkResult = builder.objectRef<IssuedLink & { userId: string; email: EmailOutcome }>('UserLinkResult').implement({
  description: 'A single-use link for a user: shown only here, once',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The link; it works once' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the link stops working', resolve: (r) => r.expiresAt }),
    email: t.field({ type: EmailOutcomeType, description: 'Whether it also went out by email', resolve: (r) => r.email }),
    user: t.prismaField({
      type: 'User',
      description: 'The user the link is for',
      resolve: (query, r) => db.user.findUniqueOrThrow({ ...query, where: { id: r.userId } }),
    }),
  }),
})

const RemoveUserResult = builder.objectRef<{ userId: string; revokedKeys: number; keptKeys: number }>('RemoveUserResult').implement({
  description: 'What removing a user did',
  fields: (t) => ({
    userId: t.exposeID('userId', { description: 'The removed user' }),
    revokedKeys: t.exposeInt('revokedKeys', { description: 'Their API keys revoked with them' }),
    keptKeys: t.exposeInt('keptKeys', { description: 'Their API keys left working' }),
  }),
})

const inviteRules = z
  .object({
    email: email.describe('Where the invitation goes; how the user will sign in'),
    name: requiredText(200).describe('Shown in the portal and the audit log'),
    role: z.enum(ROLES).meta({ graphql: RoleType }).describe('What the user may do'),
  })
  .describe('Who to invite, and with which role')
const InviteUserInput = inputType('InviteUserInput', inviteRules)

/** Only an owner touches owners: makes one, changes one's role, removes one. */
function assertMayManage(ctx: Context, target: Role | null, next?: Role) {
  const me = sessionOf(ctx)
  if (me.role !== 'owner' && (target === 'owner' || next === 'owner'))
    throw new AppError('FORBIDDEN', `Not allowed: only an owner may manage owners (your role: ${me.role})`)
}

async function findUser(ctx: Context, id: string) {
  const user = await db.user.findFirst({ where: { id, accountId: accountOf(ctx) } })
  if (!user) throw notFound('User not found')
  return user
}

async function issueAndSend(
  ctx: Context,
  user: { id: string; accountId: string; email: string; name: string; passwordHash: string | null },
) {
  const kind = user.passwordHash === null ? 'invitation' : 'password_reset'
  const link = await issueLink(ctx.config, user, kind)
  const account = await db.account.findUniqueOrThrow({ where: { id: user.accountId }, select: { name: true } })
  const message =
    kind === 'invitation'
      ? {
          subject: `You are invited to ${account.name}`,
          intro: `Hello ${user.name}, you are invited to ${account.name}'s portal. Choose a password here:`,
        }
      : {
          subject: `Reset your ${account.name} password`,
          intro: `Hello ${user.name}, choose a new password for ${account.name}'s portal here:`,
        }
  const sent = await emailLink(ctx.config, user.accountId, user.email, message, link, ctx.http)
  return { ...link, userId: user.id, email: sent }
}

const LINK_REFUSED = 'This link is unknown, already used or expired: ask for a new one'

/**
 * Sets a password through a link. An unknown, used or expired link is refused before any hash; a
 * refused password leaves the link working. The link names its account, so a browser signed in to
 * another account uses it too (`acrossAccounts`). The hash and the use are throttled like a
 * sign-in, so parallel tries with one link cannot queue up hashes.
 */
async function choosePassword(ctx: Context, token: string, password: string, kind: 'invitation' | 'password_reset') {
  const link = await acrossAccounts(() => findLink(token, kind))
  if (!link) throw new AppError('UNAUTHENTICATED', LINK_REFUSED)
  const problem = passwordProblem(password, link.user)
  if (problem) throw badRequest(problem)
  const hash = await throttledSignIn(
    ctx.config,
    ctx.http.clientIp,
    async () => {
      const hashed = await hashPassword(password)
      return (await acrossAccounts(() => useLink(link.id))) ? hashed : null
    },
    LINK_REFUSED,
  )
  ctx.http.actor = `user:${link.userId}`
  await acrossAccounts(async () => {
    await db.user.update({ where: { id: link.userId }, data: { passwordHash: hash }, select: { id: true } })
    // A new password ends every session opened with the old one.
    await db.portalSession.updateMany({ where: { userId: link.userId, endedAt: null }, data: { endedAt: new Date() } })
  })
  await openSession(ctx, { kind: 'account', accountId: link.accountId, userId: link.userId })
  return { accountId: link.accountId }
}

builder.queryFields((t) => ({
  me: t.field({
    type: Me,
    description: 'Who is signed in to the portal, their role and what it allows',
    authScopes: { session: true },
    resolve: (_root, _args, ctx) => ({ principal: sessionOf(ctx) }),
  }),
  users: t.prismaField({
    type: ['User'],
    description: "The account's users, oldest first",
    authScopes: { power: 'manage:users' },
    resolve: (query, _root, _args, ctx) =>
      db.user.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  }),
}))

builder.mutationFields((t) => ({
  inviteUser: t.field({
    type: LinkResult,
    description: 'Adds a user and returns their single-use invitation link (7 days); emailed too when the account has an email integration',
    authScopes: { power: 'manage:users' },
    args: { input: t.arg({ type: InviteUserInput, required: true, description: 'Who to invite, and with which role' }) },
    resolve: async (_root, { input }, ctx) => {
      assertMayManage(ctx, null, input.role)
      // An email is one user across every account: the unique index, not a read confined to this
      // account, tells whether another account (or a concurrent invitation) holds it.
      const user = await db.user
        .create({ data: { accountId: accountOf(ctx), email: input.email.toLowerCase(), name: input.name, role: input.role } })
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? conflict('A user with this email already exists') : error
        })
      return issueAndSend(ctx, user)
    },
  }),
  createUserLink: t.field({
    type: LinkResult,
    description:
      'A new single-use link for a user: an invitation until they have a password, a password reset (1 hour) after; earlier links stop working',
    authScopes: { power: 'manage:users' },
    args: { userId: t.arg.id({ required: true, description: 'The user' }) },
    resolve: async (_root, { userId }, ctx) => {
      const user = await findUser(ctx, String(userId))
      assertMayManage(ctx, user.role)
      return issueAndSend(ctx, user)
    },
  }),
  acceptInvitation: t.field({
    type: LoginResult,
    description: 'Uses an invitation link: sets the password and signs the user in',
    args: {
      token: t.arg.string({ required: true, description: "The link's token (after #token=)" }),
      password: t.arg.string({ required: true, description: 'At least 10 characters, not a common password' }),
    },
    resolve: (_root, { token, password }, ctx) => choosePassword(ctx, token, password, 'invitation'),
  }),
  resetPassword: t.field({
    type: LoginResult,
    description: "Uses a password-reset link: sets the new password, ends the user's other sessions and signs them in",
    args: {
      token: t.arg.string({ required: true, description: "The link's token (after #token=)" }),
      password: t.arg.string({ required: true, description: 'At least 10 characters, not a common password' }),
    },
    resolve: (_root, { token, password }, ctx) => choosePassword(ctx, token, password, 'password_reset'),
  }),
  changeUserRole: t.prismaField({
    type: 'User',
    description: "Changes a user's role; their next request holds the new role",
    authScopes: { power: 'manage:users' },
    args: {
      id: t.arg.id({ required: true, description: 'The user' }),
      role: t.arg({ type: RoleType, required: true, description: 'The new role' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const user = await findUser(ctx, String(args.id))
      if (user.id === sessionOf(ctx).userId) throw new AppError('FORBIDDEN', 'Not allowed: you cannot change your own role')
      assertMayManage(ctx, user.role, args.role)
      return db.user.update({ ...query, where: { id: user.id }, data: { role: args.role } })
    },
  }),
  removeUser: t.field({
    type: RemoveUserResult,
    description: 'Removes a user: their sessions end at once on every server, and their API keys are revoked or kept as asked',
    authScopes: { power: 'manage:users' },
    args: {
      id: t.arg.id({ required: true, description: 'The user' }),
      apiKeys: t.arg({ type: RemovedUserKeys, required: true, description: 'What to do with the API keys they created' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = await findUser(ctx, String(args.id))
      if (user.id === sessionOf(ctx).userId) throw new AppError('FORBIDDEN', 'Not allowed: you cannot remove yourself')
      assertMayManage(ctx, user.role)
      const keys = await db.apiKey.findMany({ where: { createdById: user.id, revokedAt: null }, select: { id: true } })
      const revoke = args.apiKeys === 'revoke' ? keys.map((key) => key.id) : []
      // Sessions and links go with the user (ON DELETE CASCADE); sessions are never cached, so
      // every server refuses them from their next request.
      const revokedKeys = await revokeKeys(user.accountId, revoke, (tx) => tx.user.delete({ where: { id: user.id } }))
      return { userId: user.id, revokedKeys, keptKeys: keys.length - revokedKeys }
    },
  }),
  setAccessCodeSignIn: t.boolean({
    description:
      "Turns the account's access code sign-in off or back on; only an owner signed in with their password. Off ends the code's open sessions",
    authScopes: { session: true },
    args: { enabled: t.arg.boolean({ required: true, description: 'Whether the access code signs in' }) },
    resolve: async (_root, { enabled }, ctx) => {
      const me = sessionOf(ctx)
      if (me.role !== 'owner' || !me.userId)
        throw new AppError('FORBIDDEN', 'Not allowed: only an owner signed in with their own password may change this')
      await db.account.update({ where: { id: me.accountId }, data: { accessCodeSignIn: enabled }, select: { id: true } })
      if (!enabled) await endAccessCodeSessions(me.accountId)
      return enabled
    },
  }),
}))
