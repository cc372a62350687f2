/**
 * What leaves the change feed: changes older than the retention (the worker purges them, a batch
 * at a time), and every change of given objects (erasure calls `forgetChanges` last, in its own
 * transaction, so the changes its own writes recorded go too).
 */
import { db } from '../../db/client.js'
import { RETENTION_DAYS } from './feed.js'

const PURGE_BATCH = 5_000

/** Deletes up to one batch of changes older than the retention; returns how many. */
export async function purgeOldChanges(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RETENTION_DAYS * 86_400_000)
  return db.$executeRaw`
    DELETE FROM changes WHERE id IN (
      SELECT id FROM changes WHERE changed_at < ${cutoff} AND position IS NOT NULL ORDER BY changed_at LIMIT ${PURGE_BATCH})`
}

/** Removes every change of these objects (their data and previous values) from the account's feed. */
export async function forgetChanges(accountId: string, objectType: string, objectIds: readonly string[]): Promise<number> {
  if (objectIds.length === 0) return 0
  return db.$executeRaw`
    DELETE FROM changes WHERE account_id = ${accountId} AND object_type = ${objectType} AND object_id = ANY(${[...objectIds]}::text[])`
}
