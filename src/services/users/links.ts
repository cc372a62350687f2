/**
 * Single-use links for users: an invitation (7 days) or a password reset (1 hour). The token is
 * shown once (to the inviter, in the email); only its SHA-256 is stored, and using it marks it
 * used in the same statement that finds it, so two tabs cannot both use one link.
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

/** Uses a link once: the user it belongs to, or null when it is unknown, used or expired. */
export async function useLink(token: string, kind: UserLinkKind): Promise<{ userId: string; accountId: string } | null> {
  if (token.length > 200) return null
  const now = new Date()
  const tokenHash = sha256(token)
  const { count } = await db.userLink.updateMany({
    where: { tokenHash, kind, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  })
  if (count === 0) return null
  return db.userLink.findUnique({ where: { tokenHash }, select: { userId: true, accountId: true } })
}
