/**
 * Exact totals of text searches without counting again while nothing in the account changed.
 *
 * A search that matches most of an account's rows (`example.com`, every lead's email) must look at
 * every match to give an offset page its exact `total`: tens of milliseconds at 100,000 leads, on
 * every page. A total is therefore kept with a stamp of the account's change feed, read in one
 * statement before counting: the last position handed out and how many committed changes wait for
 * one. Every committed write of the account adds a waiting change, and numbering waiting changes
 * moves the position forward, so the pair only ever grows and a kept total is used only while no
 * change of the account has committed since it was counted (any change, not only of the counted
 * rows: the test is cheap and can only err towards counting again). This holds as long as waiting
 * changes leave only by being numbered: erasure numbers before it forgets (./retention.ts).
 *
 * The worker numbers changes each pass (numberWaitingChanges); while more than MAX_WAITING wait,
 * as during a bulk import, totals are counted and not kept. Inside a request transaction the count
 * would see the transaction's own uncommitted writes, which may yet roll back: nothing is kept or
 * used there.
 */
import { ambientClient } from '../../db/ambient.js'
import { db } from '../../db/client.js'

/** Waiting changes beyond which the stamp is not read to the end (its query stays an index probe). */
const MAX_WAITING = 1_000
/** Distinct searches kept per process; the least recently used goes first. An entry is a few hundred bytes. */
const MAX_KEPT = 5_000

const kept = new Map<string, { stamp: string; total: number }>()

/** `count()`, or the total it gave for the same `key` in the account when nothing has changed since. */
export async function keptTotal(accountId: string, key: string, count: () => Promise<number>): Promise<number> {
  if (ambientClient()) return count()
  const stamp = await feedStamp(accountId)
  if (stamp === undefined) return count()
  const id = `${accountId}\n${key}`
  const entry = kept.get(id)
  kept.delete(id)
  if (entry?.stamp === stamp) {
    kept.set(id, entry)
    return entry.total
  }
  const total = await count()
  kept.set(id, { stamp, total })
  if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value as string)
  return total
}

/** The account's feed position and waiting changes, one snapshot; undefined while too many wait. */
async function feedStamp(accountId: string): Promise<string | undefined> {
  const [{ position, waiting }] = await db.$queryRaw<{ position: bigint; waiting: bigint }[]>`
    SELECT coalesce((SELECT position FROM change_heads WHERE account_id = ${accountId}), 0) AS position,
      (SELECT count(*) FROM (SELECT 1 FROM changes WHERE account_id = ${accountId} AND position IS NULL LIMIT ${MAX_WAITING + 1}) w) AS waiting`
  return waiting > MAX_WAITING ? undefined : `${position}:${waiting}`
}
