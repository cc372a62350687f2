/**
 * The change feed's promise under concurrency: ten writers commit overlapping transactions (their
 * changes are written in one order and committed in another) while a reader polls the feed by
 * cursor. The reader's replay must hold every change exactly once and end equal to the database.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { type TestClient, testApp } from './support/app.js'
import { hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

const WRITERS = 10
const TRANSACTIONS = 12
/** Writes that change a row (each is one change). */
const writes = { count: 0 }
const pause = () => sleep(Math.floor(Math.random() * 4))

async function writer(n: number, hot: string[]) {
  const mine: string[] = []
  for (let i = 0; i < TRANSACTIONS; i++) {
    let made = 2
    await db.$transaction(async (tx) => {
      const created = await tx.customer.create({ data: { accountId: tenant.accountId, name: `w${n}-${i}` }, select: { id: true } })
      mine.push(created.id)
      await pause()
      // Every writer updates the same few rows: their row locks order these writers' commits.
      const target = hot[(n + i) % hot.length]
      await tx.customer.update({ where: { id: target }, data: { email: `w${n}-${i}@example.com` } })
      await pause()
      if (i % 4 === 3) {
        await tx.customer.delete({ where: { id: mine.shift()! } })
        made++
      } else if (mine.length > 1) {
        await tx.customer.update({ where: { id: mine[0] }, data: { phone: `+1555000${n}${i}` } })
        made++
      }
    })
    writes.count += made
    await pause()
  }
}

describe('the change feed under concurrent writers', () => {
  it('gives a polling reader every change exactly once, and its replay equals the database', async () => {
    const start = (await hubCall(client, tenant, 'GET', '/changes?cursor=now')).body.next_cursor as string
    const hot = await Promise.all(
      [1, 2, 3].map(async (i) => (await db.customer.create({ data: { accountId: tenant.accountId, name: `hot-${i}` } })).id),
    )

    const seen: any[] = []
    let cursor = start
    let writing = true
    const poll = async () => {
      const page = await hubCall(client, tenant, 'GET', `/changes?cursor=${cursor}&limit=50`)
      expect(page.status).toBe(200)
      seen.push(...page.body.data)
      cursor = page.body.next_cursor
      return page.body.has_more as boolean
    }
    const reader = (async () => {
      while (writing) {
        await poll()
        await sleep(2)
      }
      while (await poll()) {}
    })()
    await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(n, hot)))
    writing = false
    await reader

    // Exactly once: positions strictly increase, and they are every change the account has.
    const positions = seen.map((change) => BigInt(change.cursor))
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true)
    const stored = await db.$queryRaw<{ position: bigint }[]>`
      SELECT position FROM changes WHERE account_id = ${tenant.accountId} AND position > ${BigInt(start)} ORDER BY position`
    expect(seen.map((c) => c.cursor)).toEqual(stored.map((r) => String(r.position)))
    expect(seen.length).toBe(hot.length + writes.count)

    // The replay ends where the database is.
    const replay = new Map<string, Record<string, unknown>>()
    for (const change of seen) {
      if (change.action === 'deleted') replay.delete(change.object_id)
      else replay.set(change.object_id, change.data)
    }
    const rows = await db.customer.findMany({ where: { accountId: tenant.accountId } })
    expect([...replay.keys()].sort()).toEqual(rows.map((r) => r.id).sort())
    for (const row of rows) {
      expect(replay.get(row.id), row.id).toMatchObject({
        name: row.name,
        email: row.email,
        phone: row.phone,
        updated_at: row.updatedAt.toISOString(),
      })
    }
  }, 120_000)
})
