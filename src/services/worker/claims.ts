/**
 * The worker's SQL: every step is one statement, and the claim uses FOR UPDATE SKIP LOCKED, so
 * any number of worker processes share one database without ever claiming the same row at once.
 * A claim marks a message with a lease (until when it belongs to this pass) and the pass's lease
 * token (which pass it belongs to); it charges no attempt: the attempt is charged when a lane
 * takes the message to send it (services/dispatch.ts), and every later step of the pass checks
 * the token, so a pass that lost its claim never acts on another pass's message. Two clocks meet
 * here on purpose: `now` (injectable) decides what is due, while leases use the wall clock,
 * because they measure whether a process is still alive.
 */
import { db } from '../../db/client.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { Lease } from '../dispatch.js'
import type { Claimed } from './batch.js'

/** Confines a step to some accounts (tests share one database between files); empty = all. */
export type Scope = readonly string[] | undefined
const inScope = (scope: Scope, column: string) =>
  scope?.length ? Prisma.sql`AND ${Prisma.raw(column)} IN (${Prisma.join(scope)})` : Prisma.empty

export const MAX_ATTEMPTS = 5
/** Wait after failed attempt n: 1 min × 4^(n-1) → 1, 4, 16, 64 minutes. */
export const BACKOFF_BASE_MS = 60_000

/** What a batch needs of a claimed message, plus the account's sending window for quiet hours. */
export interface ClaimedMessage extends Claimed {
  timeZone: string
  windowStart: string | null
  windowEnd: string | null
}

/** scheduled → queued once due; messages of a paused campaign stay scheduled until it resumes. */
export async function promoteDue(now: Date, scope: Scope, limit = 1_000): Promise<number> {
  return db.$executeRaw`
    UPDATE communications SET status = 'queued', updated_at = now()
    WHERE id IN (
      SELECT c.id FROM communications c LEFT JOIN campaigns g ON g.id = c.campaign_id
      WHERE c.status = 'scheduled' AND c.scheduled_for <= ${now} AND (g.id IS NULL OR g.status = 'active') ${inScope(scope, 'c.account_id')}
      LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED)`
}

/**
 * A send whose process died (its `sending` lease ran out) becomes `failed`; the attempt counts,
 * and the next one is due at once unless that was the last. Applies to every account, so an API
 * dispatch cut off mid-send is not stuck in `sending` either. Clearing the token means the dead
 * process's outcome, should it still arrive, is not recorded (dispatch.ts checks it).
 */
export async function recoverExpired(now: Date, scope: Scope): Promise<number> {
  return db.$executeRaw`
    UPDATE communications SET status = 'failed', lease_expires_at = NULL, lease_token = NULL, updated_at = now(),
      last_error = 'The sending process stopped before the provider answered (lease expired)',
      next_attempt_at = CASE WHEN attempts < ${MAX_ATTEMPTS} THEN ${now}::timestamptz ELSE NULL END
    WHERE status = 'sending' AND lease_expires_at <= ${new Date()} ${inScope(scope, 'account_id')}`
}

/**
 * Claims up to `limit` messages the worker should send now, for accounts with auto_dispatch on:
 * queued ones that are due, and failed ones whose retry is due, plus those whose claim expired
 * unsent (a worker died before their turn came). The claim sets the lease and `token`, and
 * already when the next attempt would be due should this one fail (none after the last).
 */
export async function claimDue(now: Date, limit: number, lease: Lease, scope: Scope): Promise<ClaimedMessage[]> {
  const wallClock = new Date()
  const leaseUntil = new Date(wallClock.getTime() + lease.ms)
  return db.$queryRaw<ClaimedMessage[]>`
    WITH due AS (
      SELECT c.id FROM communications c
      JOIN accounts a ON a.id = c.account_id
      LEFT JOIN campaigns g ON g.id = c.campaign_id
      WHERE a.auto_dispatch
        AND c.status IN ('queued', 'failed') AND c.attempts < ${MAX_ATTEMPTS}
        AND (
          -- free: due, and for a failure its backoff is over (a null next attempt means it was the last)
          (c.lease_expires_at IS NULL
            AND ((c.status = 'queued' AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= ${now}))
              OR (c.status = 'failed' AND c.next_attempt_at <= ${now})))
          -- claimed by a worker that died before sending it: take it over at once
          OR c.lease_expires_at <= ${wallClock})
        AND (g.id IS NULL OR g.status = 'active') ${inScope(scope, 'c.account_id')}
      ORDER BY COALESCE(c.next_attempt_at, c.scheduled_for, c.created_at)
      LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED)
    UPDATE communications c SET lease_expires_at = ${leaseUntil}, lease_token = ${lease.token},
      next_attempt_at = CASE WHEN c.attempts + 1 >= ${MAX_ATTEMPTS} THEN NULL
        ELSE ${now}::timestamptz + make_interval(secs => ${BACKOFF_BASE_MS / 1000}::float8 * power(4, c.attempts)) END
    FROM due, accounts a
    WHERE c.id = due.id AND a.id = c.account_id
    RETURNING c.id, c.account_id AS "accountId", c.channel, (c.test OR a.test_mode) AS "test", c.trace_context AS "traceContext", a.time_zone AS "timeZone",
      a.sending_window_start AS "windowStart", a.sending_window_end AS "windowEnd"`
}

/**
 * Extends the claims of `ids` that this pass still holds and has not started: one statement for
 * the whole rest of a batch, however long, so a batch that outlives one lease keeps what it has
 * not sent yet. Returns how many it still held.
 */
export async function renewClaims(ids: string[], lease: Lease): Promise<number> {
  if (ids.length === 0) return 0
  return db.$executeRaw`
    UPDATE communications SET lease_expires_at = ${new Date(Date.now() + lease.ms)}
    WHERE id = ANY(${ids}::text[]) AND lease_token = ${lease.token} AND status IN ('queued', 'failed')`
}

/** Hands claimed messages back until `at` (quiet hours): no attempt used. */
export async function deferUntil(ids: string[], at: Date, lease: Lease): Promise<void> {
  await db.communication.updateMany({
    where: { id: { in: ids }, leaseToken: lease.token, status: { in: ['queued', 'failed'] } },
    data: { leaseExpiresAt: null, leaseToken: null, nextAttemptAt: at },
  })
}

/**
 * Sends refused before they started (e.g. no integration yet): the messages keep their state, say
 * why, and are claimed again when their next attempt is due (the claim set it).
 */
export async function noteRefusal(ids: string[], reason: string, lease: Lease): Promise<void> {
  await db.communication.updateMany({
    where: { id: { in: ids }, leaseToken: lease.token, status: { in: ['queued', 'failed'] } },
    data: { leaseExpiresAt: null, leaseToken: null, lastError: reason },
  })
}
