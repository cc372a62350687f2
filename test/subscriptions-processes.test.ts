/**
 * Live subscriptions across server processes: two real server processes (the bundle `npm start`
 * runs) on one PostgreSQL database; a write handled by one reaches a subscriber connected to the
 * other, through the database's LISTEN/NOTIFY, with and without Redis beside it. Skipped on the
 * embedded database, which one process owns.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { testApp, testConfig, usesPostgres } from './support/app.js'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'
import { type Subscription, subscribe } from './support/sse.js'
import { createTenant, type Tenant } from './support/tenants.js'

let serverArgs: string[]
let tenant: Tenant
const running: Running[] = []
const streams: Subscription[] = []

beforeAll(async () => {
  if (!usesPostgres()) return
  serverArgs = await serverArguments('test/generated/main-live.mjs')
  tenant = await createTenant(await testApp())
}, 300_000)
afterAll(async () => {
  for (const stream of streams) await stream.close()
  await Promise.all(running.map(kill))
})

const env = (extra: Record<string, string>) => {
  const config = testConfig()
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: inject('databaseUrl')!,
    DATABASE_POOL_SIZE: '4',
    DATABASE_CONNECT_TIMEOUT_MS: '60000',
    DATABASE_QUERY_TIMEOUT_MS: '120000',
    SECRET_KEY: config.SECRET_KEY!,
    PUBLIC_URL: config.PUBLIC_URL,
    RATE_LIMIT_PER_MINUTE: '1000000',
    // This file's account only: other test files share the database.
    WORKER_ACCOUNTS: tenant.accountId,
    ...extra,
  }
}

const changes = 'subscription { changes(types: ["customer"]) { objectId action } }'

async function writeOnOneReadOnTheOther(extra: Record<string, string>) {
  const [writer, reader] = await Promise.all([startServer(serverArgs, env(extra)), startServer(serverArgs, env(extra))])
  running.push(writer, reader)
  const stream = await subscribe(fetch, reader.url, changes, {}, { key: tenant.key })
  streams.push(stream)
  expect(stream.status).toBe(200)
  const created = await fetch(`${writer.url}/hub/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ external_id: `live-${Date.now()}`, first_name: 'Across' }),
  })
  expect(created.status).toBe(201)
  const customer = (await created.json()).data
  const event = await stream.next(60_000)
  expect(event.data.data.changes).toEqual({ objectId: customer.id, action: 'created' })
}

describe.skipIf(!usesPostgres())('subscriptions across server processes', () => {
  it('a write on one process reaches a subscriber on another through LISTEN/NOTIFY', async () => {
    await writeOnOneReadOnTheOther({})
  }, 300_000)

  it.skipIf(!process.env.REDIS_URL)(
    'does the same with Redis configured',
    async () => {
      await writeOnOneReadOnTheOther({ REDIS_URL: process.env.REDIS_URL! })
    },
    300_000,
  )
})
