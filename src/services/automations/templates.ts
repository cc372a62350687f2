/**
 * Seeding the default template library: into every new account (with the account, in one
 * statement) and, at start-up, into existing accounts that have no templates yet.
 */
import { db } from '../../db/client.js'
import { DEFAULT_TEMPLATES } from './library.js'
import { unknownPlaceholders } from './render.js'

const BACKFILL_LOCK = 72_707_371 // arbitrary, fixed advisory-lock key

/** The library as template rows (without account), ready for a nested or a plain createMany. */
export function defaultTemplateRows() {
  return DEFAULT_TEMPLATES.map((t) => ({
    eventType: t.eventType,
    channel: t.channel,
    name: t.name,
    subject: t.subject ?? null,
    body: t.body,
    delayMinutes: t.delayMinutes,
    unknownPlaceholders: unknownPlaceholders(t.subject, t.body),
  }))
}

/**
 * Gives every account without a single template the default library; returns how many accounts
 * it seeded. Templates can be edited or deactivated but never deleted, so "no templates" means
 * "created before the library existed". Idempotent, and the advisory lock keeps two starting
 * processes from seeding one account twice.
 */
export function backfillDefaultTemplates(): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BACKFILL_LOCK})`
    const accounts = await tx.account.findMany({ where: { templates: { none: {} } }, select: { id: true } })
    if (accounts.length === 0) return 0
    const rows = defaultTemplateRows()
    await tx.template.createMany({ data: accounts.flatMap(({ id }) => rows.map((row) => ({ ...row, accountId: id }))) })
    return accounts.length
  })
}
