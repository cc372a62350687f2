/**
 * The change feed's lag: writes go straight to PostgreSQL at a steady rate (100 changes/s, each an
 * autocommit insert whose commit time is taken when it returns) while one reader polls
 * `GET /hub/v1/changes` on the real server by cursor, one request after the other. A change's lag
 * is from its commit to the answer that first showed it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

export interface FeedLag {
  changes: number
  seen: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  polls: number
  pollP50Ms: number
  pollMaxMs: number
}

export async function benchFeedLag(
  serverUrl: string,
  databaseUrl: string,
  account: { id: string; key: string },
  seconds: number,
  perSecond = 100,
): Promise<FeedLag> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 })
  const headers = { authorization: `Bearer ${account.key}` }
  const read = async (cursor: string) => {
    const answer = await fetch(`${serverUrl}/hub/v1/changes?cursor=${cursor}&limit=500&object_type=customer`, { headers })
    if (!answer.ok) throw new Error(`feed answered ${answer.status}`)
    return (await answer.json()) as { data: { data: { name: string } }[]; next_cursor: string }
  }
  let cursor = (await read('now')).next_cursor
  const committed = new Map<string, number>()
  const lags: number[] = []
  const total = seconds * perSecond
  let writing = true
  let polls = 0
  const pollMs: number[] = []

  const reader = (async () => {
    while (writing || lags.length < committed.size) {
      const asked = performance.now()
      const page = await read(cursor)
      const at = performance.now()
      pollMs.push(at - asked)
      polls++
      cursor = page.next_cursor
      for (const change of page.data) {
        const wrote = committed.get(change.data.name)
        if (wrote !== undefined) lags.push(at - wrote)
      }
      if (!writing && page.data.length === 0 && lags.length >= committed.size) break
    }
  })()

  const started = performance.now()
  const writes: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const name = `feed-bench-${i}`
    writes.push(
      pool
        .query(`INSERT INTO customers (id, account_id, name, updated_at) VALUES (gen_random_uuid()::text, $1, $2, now())`, [
          account.id,
          name,
        ])
        .then(() => void committed.set(name, performance.now())),
    )
  }
  await Promise.all(writes)
  writing = false
  await Promise.race([reader, sleep(30_000)])
  await pool.end()
  lags.sort((a, b) => a - b)
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN
  // A change may show up before its insert's answer reaches us: its lag counts as 0.
  return {
    changes: total,
    seen: lags.length,
    p50Ms: Math.max(0, at(0.5)),
    p99Ms: Math.max(0, at(0.99)),
    maxMs: Math.max(0, lags.at(-1) ?? Number.NaN),
    polls,
    pollP50Ms: pollMs.sort((a, b) => a - b)[Math.floor(pollMs.length / 2)] ?? Number.NaN,
    pollMaxMs: pollMs.at(-1) ?? Number.NaN,
  }
}
