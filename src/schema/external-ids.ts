/**
 * Upserts by the caller's own id (`external_id`, unique per account), so a two-way sync that
 * sends the same record twice, or from two workers at once, keeps one row
 * (docs/decisions/0017-external-id-upserts.md). In one transaction an upsert first inserts with
 * INSERT … ON CONFLICT DO NOTHING (Prisma's `createManyAndReturn` with `skipDuplicates`): of
 * concurrent upserts with one external id, one inserts; the others wait on the unique index until
 * it commits, insert nothing, then find the committed row with `lockByExternalId` and update it
 * one after another. Nobody sees a unique violation, so an upsert inside a keyed request's
 * transaction (Idempotency-Key) is never aborted by its race.
 */
import { conflict } from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'

type Table = 'customers' | 'projects' | 'leads'

/** The id of the account's row with this external id, locked until the transaction ends. */
export async function lockByExternalId(
  tx: Prisma.TransactionClient,
  table: Table,
  accountId: string,
  externalId: string,
): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT id FROM ${Prisma.raw(table)} WHERE account_id = ${accountId} AND external_id = ${externalId} FOR UPDATE`,
  )
  return rows[0]?.id
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'P2002'

/** Runs a write that may set an external id; one another record holds is a 409. */
export async function ownExternalId<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`external_id is already used by another ${what}`)
    throw error
  }
}
