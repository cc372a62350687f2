/**
 * Reading the change feed (decision 0016). Database triggers write one `changes` row per create,
 * update and delete of a domain row, in the writer's own transaction; a reader first numbers the
 * account's newly committed changes (sequence_changes, serialised per account), then reads past its
 * cursor. Numbers are handed out only to committed changes and only ever grow, so a reader resuming
 * from the last position it saw never misses a change and never sees one twice.
 */
import { db } from '../../db/client.js'
import { gone } from '../../errors.js'
import { Prisma } from '../../generated/prisma/client.js'

export const FEED_OBJECT_TYPES = [
  'customer',
  'project',
  'project_event',
  'lead',
  'quote',
  'quote_line_item',
  'appointment',
  'communication',
  'conversation',
  'message',
  'transcript_entry',
  'opt_out',
  'template',
  'campaign',
] as const
export type FeedObjectType = (typeof FEED_OBJECT_TYPES)[number]

export const FEED_ACTIONS = ['created', 'updated', 'deleted', 'restored'] as const

/** How long changes are kept; the worker purges older ones (./retention.ts). */
export const RETENTION_DAYS = 30
export const MAX_FEED_PAGE = 500
export const DEFAULT_FEED_PAGE = 100

/** One change as the API shows it. */
export interface FeedChange {
  /** The change's position in its account's feed: pass it back as the cursor. */
  cursor: string
  object_type: string
  object_id: string
  action: string
  data: Record<string, unknown> | null
  previous: Record<string, unknown> | null
  actor: { type: string; id: string | null }
  request_id: string | null
  changed_at: string
}

export interface FeedPage {
  changes: FeedChange[]
  /** Where the next read starts: the last change's cursor, or the given one when nothing was new. */
  nextCursor: string
  hasMore: boolean
}

interface ChangeRow {
  position: bigint
  object_type: string
  object_id: string
  action: string
  data: Record<string, unknown> | null
  previous: Record<string, unknown> | null
  actor: string
  request_id: string | null
  changed_at: Date
}

/** Changes one call numbers at most, so that a read after a bulk write stays short. */
export const SEQUENCE_BATCH = 10_000

/** Numbers up to SEQUENCE_BATCH of the account's committed changes not yet numbered; returns how many. */
export async function sequenceChanges(accountId: string): Promise<number> {
  const [{ numbered }] = await db.$queryRaw<
    { numbered: bigint }[]
  >`SELECT sequence_changes(${accountId}, ${SEQUENCE_BATCH}::int) AS numbered`
  return Number(numbered)
}

/**
 * Numbers up to a batch of committed changes of every account (or of `accountIds`) that has some
 * waiting; the worker calls it each pass, so readers, webhooks and kept totals
 * (./kept-totals.ts) find an account's changes numbered soon after they commit. Returns how many it
 * numbered.
 */
export async function numberWaitingChanges(accountIds?: readonly string[]): Promise<number> {
  const only = accountIds ? [...accountIds] : null
  const accounts = await db.$queryRaw<{ account_id: string }[]>`
    SELECT DISTINCT account_id FROM changes
    WHERE position IS NULL AND (${only}::text[] IS NULL OR account_id = ANY(${only}::text[]))`
  let numbered = 0
  for (const { account_id } of accounts) numbered += await sequenceChanges(account_id)
  return numbered
}

/** The account's last handed-out position: where a client starts to follow only what happens next. */
export async function feedHead(accountId: string): Promise<string> {
  while ((await sequenceChanges(accountId)) === SEQUENCE_BATCH) {}
  const [head] = await db.$queryRaw<{ position: bigint }[]>`SELECT position FROM change_heads WHERE account_id = ${accountId}`
  return String(head?.position ?? 0n)
}

/** The changes after `after` (a position; 0 = the oldest kept), oldest first. */
export async function readChanges(
  accountId: string,
  options: { after: bigint; limit: number; objectTypes?: readonly string[] },
): Promise<FeedPage> {
  const unnumberedLeft = (await sequenceChanges(accountId)) === SEQUENCE_BATCH
  const { page } = await readNumberedChanges(accountId, options)
  return { ...page, hasMore: page.hasMore || unnumberedLeft }
}

/**
 * The numbered changes after `after`, without numbering any, and whether committed changes wait
 * unnumbered: a live reader (src/services/live/feeds.ts) numbers only then, so a process whose
 * changes another process or the worker already numbered reads them in one statement and never
 * queues for the account's head lock.
 */
export async function readNumberedChanges(
  accountId: string,
  options: { after: bigint; limit: number; objectTypes?: readonly string[] },
): Promise<{ page: FeedPage; waiting: boolean }> {
  const types = options.objectTypes?.length ? Prisma.sql`AND object_type = ANY(${[...options.objectTypes]}::text[])` : Prisma.empty
  // One statement reads the page, how far the retention purge went and whether changes wait to be
  // numbered (one row even when the page is empty; the last through changes_unnumbered_idx).
  const found = await db.$queryRaw<((ChangeRow | { position: null }) & { purged_through: bigint; waiting: boolean })[]>`
    SELECT h.purged_through, h.waiting, c.* FROM
      (SELECT coalesce(max(purged_through), 0) AS purged_through,
              EXISTS (SELECT 1 FROM changes WHERE account_id = ${accountId} AND position IS NULL) AS waiting
         FROM change_heads WHERE account_id = ${accountId}) h
      LEFT JOIN LATERAL (
        SELECT position, object_type, object_id, action, data, previous, actor, request_id, changed_at
        FROM changes WHERE account_id = ${accountId} AND position > ${options.after} ${types}
        ORDER BY position LIMIT ${options.limit + 1}
      ) c ON true`
  if (options.after > 0n && options.after < (found[0]?.purged_through ?? 0n)) {
    throw gone(
      `This cursor is older than the ${RETENTION_DAYS} days the change feed keeps: load again from the lists, then follow the feed from cursor=now`,
    )
  }
  const rows = found.filter((row): row is ChangeRow & { purged_through: bigint; waiting: boolean } => row.position !== null)
  const page = rows.slice(0, options.limit)
  return {
    page: {
      changes: page.map(feedChange),
      nextCursor: page.length ? String(page.at(-1)!.position) : String(options.after),
      hasMore: rows.length > options.limit,
    },
    waiting: Boolean(found[0]?.waiting),
  }
}

export function feedChange(row: ChangeRow): FeedChange {
  const [type, ...rest] = row.actor.split(':')
  return {
    cursor: String(row.position),
    object_type: row.object_type,
    object_id: row.object_id,
    action: row.action,
    data: row.data && utcTimes(row.data),
    previous: row.previous && utcTimes(row.previous),
    actor: { type, id: rest.length ? rest.join(':') : null },
    request_id: row.request_id,
    changed_at: row.changed_at.toISOString(),
  }
}

/** The trigger writes timestamps as PostgreSQL prints them in UTC (`…+00:00`); the API writes `…Z`. */
const PG_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/

function utcTimes(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record))
    out[key] = typeof value === 'string' && PG_UTC.test(value) ? new Date(value).toISOString() : value
  return out
}

/** A cursor as clients send it: a position (digits), or `now` for the current head. */
export const CURSOR_FORMAT = /^(\d{1,18}|now)$/
