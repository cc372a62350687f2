/**
 * What leaves the change feed: changes older than the retention (the worker purges them, a batch
 * at a time), and every change of an erased subject (erasure calls `forgetSubjectChanges` last, in
 * its own transaction, so the changes its own writes recorded go too).
 */
import { db } from '../../db/client.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { RETENTION_DAYS } from './feed.js'

const PURGE_BATCH = 5_000

/** Deletes up to one batch of changes older than the retention; returns how many. */
export async function purgeOldChanges(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RETENTION_DAYS * 86_400_000)
  // Each account's head remembers how far the purge went, so a cursor from before it is refused
  // (410) instead of silently skipping what was purged.
  const [{ purged }] = await db.$queryRaw<{ purged: bigint }[]>`
    WITH purged AS (
      DELETE FROM changes WHERE id IN (
        SELECT id FROM changes WHERE changed_at < ${cutoff} AND position IS NOT NULL ORDER BY changed_at LIMIT ${PURGE_BATCH})
      RETURNING account_id, position
    ), horizon AS (
      UPDATE change_heads h SET purged_through = GREATEST(h.purged_through, p.through)
      FROM (SELECT account_id, max(position) AS through FROM purged GROUP BY account_id) p
      WHERE h.account_id = p.account_id
    )
    SELECT count(*) AS purged FROM purged`
  return Number(purged)
}

/**
 * Forgetting changes that wait for a number would let the account's feed stamp (position, waiting
 * changes) come back to a value it had before, and a kept total (./kept-totals.ts) outlive the
 * writes it missed. Moving the position on by one, an empty position, keeps the stamp growing. The
 * head row stays locked until the forgetting transaction ends, as while numbering.
 */
async function moveHeadPastForgotten(tx: Prisma.TransactionClient, accountId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO change_heads (account_id, position) VALUES (${accountId}, 1)
    ON CONFLICT (account_id) DO UPDATE SET position = change_heads.position + 1`
}

/**
 * Erasure's eraser for the feed: every change of the given objects, or whose record or previous
 * values mention any of `terms` (ILIKE patterns), and every change of a message or transcript entry
 * of a conversation among them, leaves the feed. Deletes stay as bare tombstones (previous cleared),
 * so a follower still learns that the records are gone. Run last, in the erasure's transaction: the
 * erasure's own deletes are recorded as changes too.
 */
export async function forgetSubjectChanges(
  tx: Prisma.TransactionClient,
  accountId: string,
  objectIds: readonly string[],
  terms: readonly string[],
): Promise<number> {
  await moveHeadPastForgotten(tx, accountId)
  return tx.$executeRaw`
    WITH mentioned AS (
      SELECT id, object_type, object_id, action FROM changes
      WHERE account_id = ${accountId} AND (object_id = ANY(${[...objectIds]}::text[])
        OR data::text ILIKE ANY(${[...terms]}::text[]) OR previous::text ILIKE ANY(${[...terms]}::text[]))
    ), within AS (
      SELECT c.id, c.action FROM changes c
      WHERE c.account_id = ${accountId}
        AND coalesce(c.data ->> 'conversation_id', c.previous ->> 'conversation_id') IN (SELECT object_id FROM mentioned WHERE object_type = 'conversation')
    ), targets AS (
      SELECT id, action FROM mentioned UNION SELECT id, action FROM within
    ), scrubbed AS (
      UPDATE changes SET previous = NULL WHERE id IN (SELECT id FROM targets WHERE action = 'deleted')
    )
    DELETE FROM changes WHERE id IN (SELECT id FROM targets WHERE action <> 'deleted')`
}
