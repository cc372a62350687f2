/**
 * `Idempotency-Key` on every write of every surface (docs/decisions/0011-idempotency.md): per
 * account and key space (live or test keys), for 24 hours, a key remembers the request it was
 * first used with and its successful answer. A retry of the same request gets that answer again,
 * without a second effect.
 *
 * The answer commits with the effect: the request runs inside one ambient transaction
 * (../db/ambient.ts) that also writes the record, so a process that dies mid-request leaves
 * neither, and the key is free for the retry. A failed attempt (any non-2xx answer) is rolled
 * back whole and leaves nothing either. Provider calls run right after the commit (and by the
 * worker when the process died before making them).
 *
 * A replay goes only to a caller allowed to make the original request: the record keeps the
 * scopes that request was authorised with, and a caller lacking one is answered 403, as the
 * request itself would answer it. A different request with the key, or a retry while the first
 * still runs, is a 409.
 */
import { createHash } from 'node:crypto'
import type { Context } from '../context/context.js'
import { hasScope, isTestKey, type Scope } from '../context/principal.js'
import { AfterCommitFailed, inTransaction } from '../db/ambient.js'
import { db } from '../db/client.js'
import { AppError, badRequest, conflict } from '../errors.js'
import type { RequestState } from '../http/state.js'

const TTL_MS = 24 * 60 * 60 * 1000
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/

/** An answer as stored and replayed. */
export interface StoredAnswer {
  status: number
  type: string
  body: string
}

export interface IdempotentRequest {
  accountId: string
  /** Live and test keys have separate key spaces. */
  live: boolean
  key: string
  /** What "the same request" means (`fingerprint`). */
  fingerprint: string
  /** Whether this caller holds a scope; a replay needs every scope the first request used. */
  holds: (scope: string) => boolean
  /** The request's state: the schema notes there every scope it authorised the request with. */
  http: RequestState
}

/** How one surface runs a request and turns its answer into a stored one and back. */
export interface Execution<T> {
  run: () => Promise<T>
  /** The answer to store, or null for a failure (rolled back, not remembered). */
  store: (answer: T) => Promise<StoredAnswer | null>
  replay: (stored: StoredAnswer) => T
}

/** "The same request": REST hashes method, path and JSON body; GraphQL the document and its variables. */
export const fingerprint = (request: string) => createHash('sha256').update(request).digest('hex')

/** The idempotent request of an authenticated caller (`ctx.accountId` set). */
export const idempotentRequest = (ctx: Context, key: string, requestFingerprint: string): IdempotentRequest => ({
  accountId: ctx.accountId!,
  live: !isTestKey(ctx.principal),
  key,
  fingerprint: requestFingerprint,
  holds: (scope) => hasScope(ctx.principal, scope as Scope),
  http: ctx.http,
})

export const checkKeyFormat = (key: string) => {
  if (!KEY_FORMAT.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters')
}

/** A failed answer, carried out of the transaction so that it rolls back. */
class Failed<T> {
  constructor(readonly answer: T) {}
}

/** Runs a request at most once per (account, key space, key) and replays its successful answer. */
export async function idempotent<T>(request: IdempotentRequest, execution: Execution<T>): Promise<T> {
  checkKeyFormat(request.key)
  const { accountId, live, key } = request
  try {
    return await inTransaction(db, async () => {
      // The same key's requests wait for nothing: a second one while the first holds the key is a 409.
      const [{ held }] = await db.$queryRaw<{ held: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${`idempotency:${accountId}:${live}:${key}`}, 0)) AS held`
      if (!held) throw conflict('A request with this Idempotency-Key is still in progress: retry later')
      const id = { accountId_live_key: { accountId, live, key } }
      const existing = await db.idempotencyRecord.findUnique({ where: id })
      if (existing && existing.expiresAt > new Date()) return replay(request, existing, execution)
      if (existing) await db.idempotencyRecord.delete({ where: id })

      request.http.scopesUsed = new Set()
      const answer = await execution.run()
      const stored = await execution.store(answer)
      if (!stored) throw new Failed(answer)
      await db.idempotencyRecord.create({
        data: {
          accountId,
          live,
          key,
          requestHash: request.fingerprint,
          scopes: [...request.http.scopesUsed],
          responseStatus: stored.status,
          responseType: stored.type,
          responseBody: stored.body,
          expiresAt: new Date(Date.now() + TTL_MS),
        },
      })
      return answer
    })
  } catch (error) {
    if (error instanceof Failed) return error.answer as T
    // What runs after the commit failed (a provider refused the send): the answer is that
    // failure, so the key is freed for a retry.
    if (error instanceof AfterCommitFailed) {
      await db.idempotencyRecord.deleteMany({ where: { accountId, live, key } })
      throw error.cause
    }
    throw error
  }
}

function replay<T>(
  request: IdempotentRequest,
  record: { requestHash: string; scopes: string[]; responseStatus: number; responseType: string; responseBody: string },
  execution: Execution<T>,
): T {
  if (record.requestHash !== request.fingerprint) throw conflict('This Idempotency-Key was already used with a different request')
  const missing = record.scopes.find((scope) => !request.holds(scope))
  if (missing) throw new AppError('FORBIDDEN', `Insufficient scope: ${missing} required`)
  return execution.replay({ status: record.responseStatus, type: record.responseType, body: record.responseBody })
}
