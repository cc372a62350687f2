/**
 * Requests per API key, counted in this process's memory and added to `api_key_usage` by one
 * upsert per flush (every USAGE_FLUSH_MS while serving, and once more on a graceful shutdown), so
 * counting costs a request no database write. Each process adds only its own deltas, so any number
 * of server processes count correctly together. A process that dies without shutting down loses
 * at most one flush interval of counts (docs/decisions/0026-usage-counting.md).
 */
import type { Logger } from 'pino'
import { db } from '../db/client.js'

export const USAGE_FLUSH_MS = 5_000
const HOUR_MS = 3_600_000
/** Kept long enough to compare a year with the one before; the usage query reads at most 90 days. */
export const USAGE_RETENTION_DAYS = 400
const PRUNE_BATCH = 5_000

interface Delta {
  accountId: string
  apiKeyId: string
  hour: number
  requests: number
  refused: number
}

/** Hour start (ms) → key id → the counts since the last flush. */
let pending = new Map<number, Map<string, Delta>>()

/** Counts one request of an API key: let through by the rate limit, or refused by it (429). */
export function countKeyRequest(accountId: string, apiKeyId: string, outcome: 'answered' | 'refused', at = Date.now()): void {
  const delta = deltaOf(accountId, apiKeyId, at - (at % HOUR_MS))
  if (outcome === 'answered') delta.requests++
  else delta.refused++
}

function deltaOf(accountId: string, apiKeyId: string, hour: number): Delta {
  let keys = pending.get(hour)
  if (!keys) {
    keys = new Map()
    pending.set(hour, keys)
  }
  let delta = keys.get(apiKeyId)
  if (!delta) {
    delta = { accountId, apiKeyId, hour, requests: 0, refused: 0 }
    keys.set(apiKeyId, delta)
  }
  return delta
}

/**
 * Adds the counts gathered since the last flush to the table, in one statement; returns how many
 * rows it touched. Counts of keys deleted meanwhile are dropped (the join); if the statement
 * fails (the database is unreachable), the counts go back to be flushed next time.
 */
export async function flushUsage(): Promise<number> {
  if (pending.size === 0) return 0
  const taken = [...pending.values()].flatMap((keys) => [...keys.values()])
  pending = new Map()
  try {
    return await db.$executeRaw`
      INSERT INTO api_key_usage (account_id, api_key_id, hour, requests, refused)
      SELECT d.account_id, d.api_key_id, d.hour, d.requests, d.refused
      FROM unnest(${taken.map((d) => d.accountId)}::text[], ${taken.map((d) => d.apiKeyId)}::text[],
        ${taken.map((d) => new Date(d.hour))}::timestamptz[], ${taken.map((d) => d.requests)}::int[],
        ${taken.map((d) => d.refused)}::int[]) AS d(account_id, api_key_id, hour, requests, refused)
      JOIN api_keys k ON k.id = d.api_key_id AND k.account_id = d.account_id
      -- Every process locks the rows it adds to in one order, so two flushes never deadlock.
      ORDER BY d.account_id, d.hour, d.api_key_id
      ON CONFLICT (account_id, hour, api_key_id) DO UPDATE
        SET requests = api_key_usage.requests + excluded.requests, refused = api_key_usage.refused + excluded.refused`
  } catch (error) {
    for (const d of taken) {
      const delta = deltaOf(d.accountId, d.apiKeyId, d.hour)
      delta.requests += d.requests
      delta.refused += d.refused
    }
    throw error
  }
}

/**
 * Flushes every `intervalMs` until stopped; the returned stop() flushes what is left. Started by
 * the server process (cli/serve.ts), not by createApp, so tests flush when they choose.
 */
export function startUsageFlushing(logger: Logger, intervalMs = USAGE_FLUSH_MS): () => Promise<void> {
  const flush = () => flushUsage().catch((error: unknown) => logger.warn({ err: error }, 'could not record API key usage; retrying'))
  const timer = setInterval(flush, intervalMs)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await flush()
  }
}

/** Deletes up to one batch of usage rows older than USAGE_RETENTION_DAYS; returns how many. */
export async function pruneUsage(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - USAGE_RETENTION_DAYS * 86_400_000)
  return db.$executeRaw`
    DELETE FROM api_key_usage WHERE (account_id, hour, api_key_id) IN (
      SELECT account_id, hour, api_key_id FROM api_key_usage WHERE hour < ${cutoff} LIMIT ${PRUNE_BATCH})`
}
