/**
 * Live reading of the change feed, shared by every subscriber of an account in this process
 * (decision 0019). Each followed account has one reader: a notice (./notices.ts) makes it read the
 * feed past its own position, once, and hand each change to every follower in memory, so a
 * thousand subscribers of one account cost one read per notice, not a thousand.
 *
 * A follower starts from a cursor of its own. What lies between its cursor and the reader's
 * position it reads itself (catching up), while the reader's new changes wait in its buffer; a
 * change is given to a follower only past the last position it was given, so the hand-over
 * neither skips nor repeats one.
 */
import { databaseFailure } from '../../db/outage.js'
import { AppError } from '../../errors.js'
import { type FeedChange, feedHead, readChanges, readNumberedChanges, sequenceChanges } from '../changes/feed.js'

/** Changes one read of the feed takes at most. */
const READ_BATCH = 500

/** One change as the reader hands it out, the same object for every follower. */
export class LiveChange {
  constructor(
    readonly accountId: string,
    readonly position: bigint,
    readonly change: FeedChange,
  ) {}
}

export interface Follower {
  /** Whether this follower wants the change; it is not given the others. */
  wants(change: FeedChange): boolean
  take(change: LiveChange): void
  fail(error: unknown): void
}

interface Member {
  follower: Follower
  /** The last position given (or skipped), so nothing is given twice. */
  cursor: bigint
  /** While catching up: the reader's changes, given once the backlog is read. */
  held?: LiveChange[]
}

class AccountFeed {
  members = new Set<Member>()
  /** How far this process has read the account's feed; unset until the head is known. */
  position: bigint | undefined
  ready: Promise<void>
  reading = false
  again = false

  constructor(readonly accountId: string) {
    this.ready = feedHead(accountId).then((head) => {
      this.position = BigInt(head)
    })
  }
}

const feeds = new Map<string, AccountFeed>()

/** Where a failed read is reported (the server's logger); every follower of the account is told too. */
let report: (error: unknown, accountId: string) => void = () => {}
export const reportReadFailuresTo = (fn: typeof report) => {
  report = fn
}

/**
 * Follows the account's changes after `after` (`now`: from the current head). Resolves once the
 * follower is registered and its backlog handed over; the returned function stops following.
 * Rejects (410) when `after` is older than the feed keeps.
 */
export async function follow(
  accountId: string,
  after: bigint | 'now',
  follower: Follower,
  objectTypes?: readonly string[],
): Promise<() => void> {
  let feed = feeds.get(accountId)
  if (!feed) {
    const created = new AccountFeed(accountId)
    feed = created
    feeds.set(accountId, created)
    created.ready.then(
      () => poke(created),
      () => feeds.get(accountId) === created && feeds.delete(accountId),
    )
  }
  await feed.ready
  const from = after === 'now' ? (feed.position ?? 0n) : after
  const member: Member = { follower, cursor: from, held: [] }
  feed.members.add(member)
  const stop = () => leave(feed, member)
  try {
    await catchUp(feed, member, objectTypes)
  } catch (error) {
    stop()
    throw error
  }
  const held = member.held ?? []
  member.held = undefined
  for (const change of held) offer(member, change)
  return stop
}

/** Reads the follower's backlog (from its cursor to the reader's position when it joined). */
async function catchUp(feed: AccountFeed, member: Member, objectTypes?: readonly string[]) {
  const target = feed.position ?? 0n
  let cursor = member.cursor
  while (cursor < target) {
    const page = await readChanges(feed.accountId, { after: cursor, limit: READ_BATCH, objectTypes })
    for (const change of page.changes) {
      const position = BigInt(change.cursor)
      if (position > member.cursor) give(member, new LiveChange(feed.accountId, position, change))
    }
    cursor = BigInt(page.nextCursor)
    if (!page.hasMore) break
  }
  // Past the target, filtered or not, the reader's held changes take over.
  if (member.cursor < target) member.cursor = target
}

function offer(member: Member, change: LiveChange) {
  if (member.held) member.held.push(change)
  else if (change.position > member.cursor) give(member, change)
}

function give(member: Member, change: LiveChange) {
  member.cursor = change.position
  if (member.follower.wants(change.change)) member.follower.take(change)
}

function leave(feed: AccountFeed, member: Member) {
  feed.members.delete(member)
  if (feed.members.size === 0 && feeds.get(feed.accountId) === feed) feeds.delete(feed.accountId)
}

/** The account has new committed changes: its reader (if this process follows it) reads them. */
export function changesCommitted(accountId: string): void {
  const feed = feeds.get(accountId)
  if (feed) poke(feed)
}

/** Notices may have been missed: every followed account is read again. */
export function readAllAgain(): void {
  for (const feed of feeds.values()) poke(feed)
}

function poke(feed: AccountFeed) {
  if (feed.position === undefined) return
  if (feed.reading) {
    feed.again = true
    return
  }
  void read(feed)
}

async function read(feed: AccountFeed) {
  feed.reading = true
  try {
    do {
      feed.again = false
      let more = true
      while (more && feed.members.size) {
        // What is numbered already is read first; the account's head lock is taken only when
        // changes wait unnumbered (another process or the worker often numbered them already).
        const { page, waiting } = await readNumberedChanges(feed.accountId, { after: feed.position ?? 0n, limit: READ_BATCH })
        for (const change of page.changes) {
          const live = new LiveChange(feed.accountId, BigInt(change.cursor), change)
          for (const member of feed.members) offer(member, live)
        }
        feed.position = BigInt(page.nextCursor)
        // Numbered here or meanwhile by another process, the waiting changes are read next.
        if (waiting) await sequenceChanges(feed.accountId)
        more = page.hasMore || waiting
      }
    } while (feed.again && feed.members.size)
  } catch (error) {
    // Followers end with a clear error and resume from their cursors once the database answers.
    report(error, feed.accountId)
    const failure = liveFailure(error)
    if (feeds.get(feed.accountId) === feed) feeds.delete(feed.accountId)
    for (const member of [...feed.members]) member.follower.fail(failure)
    feed.members.clear()
  } finally {
    feed.reading = false
  }
}

/** What a subscriber is told when its changes cannot be read. */
export function liveFailure(error: unknown): AppError {
  if (error instanceof AppError) return error
  return (
    databaseFailure(error) ??
    new AppError('SERVICE_UNAVAILABLE', 'The change feed could not be read: subscribe again from the last cursor received')
  )
}
