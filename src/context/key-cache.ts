/**
 * API keys this process has recently verified, by hash, so an authenticated request does not
 * read its key row every time (on a typical read that row is one statement in three).
 *
 * What keeps a revoked key from being served: `revokeKeys` (src/schema/api-keys.ts) evicts the key
 * here at once and, in the revoking transaction, NOTIFYs `api_key_revoked`; every server process
 * LISTENs on it and evicts on receipt. A process caches nothing while its listening connection is down, and forgets
 * everything when it is lost. Expiry needs no notice: it is checked on every use. An entry lives
 * at most TTL_MS, a bound on staleness should anything else change a key row behind our back.
 */
import { currentDatabase, type Database } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'

export const KEY_REVOKED_CHANNEL = 'api_key_revoked'
const TTL_MS = 60_000
const MAX_ENTRIES = 10_000

/** The columns authentication needs: what `load` selects and the cache holds (never the key). */
export const verifiedKeyFields = {
  id: true,
  accountId: true,
  keyHash: true,
  mode: true,
  scopes: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const
export type VerifiedKey = Prisma.ApiKeyGetPayload<{ select: typeof verifiedKeyFields }>

interface Entry {
  key: VerifiedKey
  cachedAt: number
}

const byHash = new Map<string, Entry>()
/** Bumped by every eviction and listener change: a row read before one must not be cached after it. */
let evictions = 0
let listening = false
let listeningOn: Database | undefined

function listenOnce() {
  const database = currentDatabase()
  if (!database || listeningOn === database) return
  listeningOn = database
  listening = false
  evictions++
  byHash.clear()
  database.listen(
    KEY_REVOKED_CHANNEL,
    (keyId) => evictKey(keyId),
    (now) => {
      if (listeningOn !== database) return
      // A row read before this change may predate a notice missed while not listening.
      evictions++
      byHash.clear()
      listening = now
    },
  )
}

/**
 * The key with this hash: from the cache while it may be trusted, otherwise from `load` (whose
 * row is cached if it is live and no eviction happened while it was being read).
 */
export async function findKey(hash: string, load: () => Promise<VerifiedKey | null>): Promise<VerifiedKey | null> {
  listenOnce()
  const hit = byHash.get(hash)
  if (hit && listening && Date.now() - hit.cachedAt < TTL_MS) return hit.key
  const before = evictions
  const key = await load()
  if (key && !key.revokedAt && listening && before === evictions) remember(key)
  return key
}

function remember(key: VerifiedKey) {
  byHash.delete(key.keyHash)
  if (byHash.size >= MAX_ENTRIES) byHash.delete(byHash.keys().next().value!) // the oldest
  byHash.set(key.keyHash, { key, cachedAt: Date.now() })
}

/** Called with a key's id when it is revoked (here or, through the notice, in another process). */
type RevocationListener = (keyId: string) => void
const revocationListeners = new Set<RevocationListener>()

/** Runs `listener` on every revocation this process learns of; returns the function that stops it. */
export function onKeyRevoked(listener: RevocationListener): () => void {
  revocationListeners.add(listener)
  return () => revocationListeners.delete(listener)
}

/** Forgets the key with this id (revoked here, or a notice from another process). */
export function evictKey(keyId: string) {
  evictions++
  for (const listener of revocationListeners) listener(keyId)
  for (const [hash, entry] of byHash) if (entry.key.id === keyId) byHash.delete(hash)
}
