/**
 * `Idempotency-Key` for REST writes (crm-api.md, a decision): per account, for 24 hours, a key
 * remembers the request it was first used with and, once that finished successfully, its answer.
 * A retry with the same request gets that answer again, without a second effect; a different
 * request with the key, or a retry while the first is still running, gets 409. A failed first
 * attempt (any non-2xx answer) is forgotten, so the client can simply retry it: our errors leave
 * nothing half-written, so there is no effect to protect.
 */
import { createHash } from 'node:crypto'
import { db } from '../db/client.js'
import { badRequest, conflict } from '../errors.js'

const TTL_MS = 24 * 60 * 60 * 1000
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/

/** What "the same request" means: method, path and the parsed JSON body. */
export const requestFingerprint = (method: string, pathname: string, body: unknown) =>
  createHash('sha256')
    .update(`${method} ${pathname}\n${JSON.stringify(body)}`)
    .digest('hex')

/** Runs `run` at most once per (account, key) and request; replays its successful answer. */
export async function idempotent(accountId: string, key: string, fingerprint: string, run: () => Promise<Response>): Promise<Response> {
  if (!KEY_FORMAT.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters')
  const id = { accountId_key: { accountId, key } }
  if (!(await claim(accountId, key, fingerprint))) {
    const existing = await db.idempotencyRecord.findUnique({ where: id })
    if (existing && existing.requestHash !== fingerprint) throw conflict('This Idempotency-Key was already used with a different request')
    if (!existing || existing.responseStatus === null || existing.responseBody === null) {
      throw conflict('A request with this Idempotency-Key is still in progress: retry later')
    }
    return new Response(existing.responseBody, {
      status: existing.responseStatus,
      headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' },
    })
  }
  let response: Response
  try {
    response = await run()
  } catch (error) {
    await db.idempotencyRecord.deleteMany({ where: { accountId, key } })
    throw error
  }
  if (response.ok) {
    await db.idempotencyRecord.update({ where: id, data: { responseStatus: response.status, responseBody: await response.clone().text() } })
  } else {
    await db.idempotencyRecord.deleteMany({ where: { accountId, key } })
  }
  return response
}

/** Inserts the in-flight record; false when the key is taken (an expired record is replaced). */
async function claim(accountId: string, key: string, requestHash: string): Promise<boolean> {
  const insert = () =>
    db.idempotencyRecord.createMany({
      data: [{ accountId, key, requestHash, expiresAt: new Date(Date.now() + TTL_MS) }],
      skipDuplicates: true,
    })
  if ((await insert()).count === 1) return true
  const expired = await db.idempotencyRecord.deleteMany({ where: { accountId, key, expiresAt: { lte: new Date() } } })
  return expired.count === 1 && (await insert()).count === 1
}
