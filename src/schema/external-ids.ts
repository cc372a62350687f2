/**
 * Upserts by the caller's own id (`external_id`, unique among an account's records that are not
 * deleted), so a two-way sync that sends the same record twice, or from two workers at once, keeps
 * one row (docs/decisions/0017-external-id-upserts.md). In one transaction an upsert first inserts
 * with INSERT … ON CONFLICT DO NOTHING (Prisma's `createManyAndReturn` with `skipDuplicates`): of
 * concurrent upserts with one external id, one inserts; the others wait on the unique index until
 * it commits, insert nothing, then find the committed row and lock it, updating it one after
 * another. Nobody sees a unique violation, so an upsert inside a keyed request's transaction
 * (Idempotency-Key) is never aborted by its race.
 */
import { conflict, isUniqueViolation } from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'

type Table = 'customers' | 'projects' | 'leads'

/** The id of the account's live row with this external id, locked until the transaction ends. */
async function lockByExternalId(tx: Prisma.TransactionClient, table: Table, accountId: string, externalId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT id FROM ${Prisma.raw(table)}
      WHERE account_id = ${accountId} AND external_id = ${externalId} AND deleted_at IS NULL FOR UPDATE`,
  )
  return rows[0]?.id
}

/**
 * Inserts the record (`insert`, null when the input cannot create one), or else locks the live
 * record holding the external id. A record deleted between the two steps frees the id, so the
 * insert is tried again. `existingId` is undefined when nothing holds it and nothing was inserted.
 */
export async function insertOrLock<T>(
  tx: Prisma.TransactionClient,
  table: Table,
  accountId: string,
  externalId: string,
  insert: (() => Promise<T | undefined>) | null,
): Promise<{ inserted: T } | { inserted?: undefined; existingId: string | undefined }> {
  for (;;) {
    const inserted = insert ? await insert() : undefined
    if (inserted) return { inserted }
    const existingId = await lockByExternalId(tx, table, accountId, externalId)
    if (existingId || !insert) return { existingId }
  }
}

/** Runs a write that may set an external id; one another record holds is a 409. */
export async function ownExternalId<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`external_id is already used by another ${what}`)
    throw error
  }
}
