/**
 * Single-use links for users: an invitation (7 days) or a password reset (1 hour). The token is
 * shown once (to the inviter, in the email); only its SHA-256 is stored. Using it marks it used in
 * a statement that only an unused link matches, so two tabs cannot both use one link.
 */
import { randomToken, sha256 } from '../../crypto.js'
import { db } from '../../db/client.js'
import type { Config } from '../../env.js'
import type { UserLinkKind } from '../../generated/prisma/enums.js'

export const LINK_HOURS: Record<UserLinkKind, number> = { invitation: 7 * 24, password_reset: 1 }

export interface IssuedLink {
  url: string
  expiresAt: Date
}

/** Issues a link for `userId`; earlier unused links of the same kind stop working. */
export async function issueLink(config: Config, user: { id: string; accountId: string }, kind: UserLinkKind): Promise<IssuedLink> {
  const token = randomToken()
  const expiresAt = new Date(Date.now() + LINK_HOURS[kind] * 3_600_000)
  await db.$transaction([
    db.userLink.updateMany({ where: { userId: user.id, kind, usedAt: null }, data: { usedAt: new Date() } }),
    db.userLink.create({ data: { accountId: user.accountId, userId: user.id, kind, tokenHash: sha256(token), expiresAt } }),
  ])
  const page = kind === 'invitation' ? 'accept' : 'reset'
  return { url: `${config.PUBLIC_URL}/portal/${page}/#token=${token}`, expiresAt }
}

/** The link with this token and its user, or null when it is unknown, used, expired or of another kind. */
export async function findLink(token: string, kind: UserLinkKind) {
  if (token.length > 200) return null
  const link = await db.userLink.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } })
  return link && link.kind === kind && link.usedAt === null && link.expiresAt > new Date() ? link : null
}

/** Uses a link found by `findLink`: true for the one request that marks it used, false when another did first or it expired meanwhile. */
export async function useLink(id: string): Promise<boolean> {
  const now = new Date()
  const { count } = await db.userLink.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } })
  return count === 1
}
