/**
 * Leases: a batch that lasts longer than one lease, with two passes of the worker at once (as two
 * worker processes would) against a slow fake Sendblue, must send each message exactly once; an
 * outcome whose lease was lost must not be written. Runs on PGlite and on PostgreSQL; confined
 * to this file's accounts.
 */
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { runOnce } from '../src/services/worker/worker.js'
import { countStatements, type TestClient, testApp, testConfig } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { hubCall, tenantWithDueMessages } from './support/hub.js'
import type { Tenant } from './support/tenants.js'

/**
 * A lease covers ~40 sends of one lane; the batch needs ~60 per lane. A send takes 200 ms of the
 * provider's 3.9 s timeout, so a busy machine slows the batch without timing sends out.
 */
const LEASE_MS = 8_000
const SEND_MS = 200
const BATCH = 120
const LANES = 2

let client: TestClient
let sendblue: FakeProvider
let overrides: Record<string, string>

beforeAll(async () => {
  sendblue = await fakeSendblue()
  overrides = {
    SENDBLUE_API_URL: sendblue.url,
    PROVIDER_TIMEOUT_MS: '3900',
    WORKER_LEASE_MS: String(LEASE_MS),
    WORKER_BATCH_SIZE: String(BATCH),
    WORKER_CONCURRENCY: String(LANES),
  }
  client = await testApp(overrides)
})
afterAll(() => sendblue.close())
beforeEach(() => sendblue.reset())

const pass = (tenant: Tenant, extra: Record<string, string> = {}, logger?: pino.Logger) =>
  runOnce({ config: testConfig({ ...overrides, ...extra }), accountIds: [tenant.accountId], logger })

async function waitFor(condition: () => boolean, what: string) {
  const deadline = Date.now() + 20_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** What another process does when it recovers a message whose lease ran out and takes it to send again. */
const takeOver = (id: string) =>
  db.communication.update({
    where: { id },
    data: { status: 'sending', attempts: 2, leaseToken: 'another-process', leaseExpiresAt: new Date(Date.now() + 60_000) },
  })

function capturedLogger() {
  const lines: Record<string, any>[] = []
  return { lines, logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }) }
}

describe('a batch that outlives its lease', () => {
  it('two concurrent passes send each message exactly once, each with one attempt', async () => {
    const tenant = await tenantWithDueMessages(client, BATCH, 'lease')
    sendblue.delayMs = SEND_MS
    const first = pass(tenant)
    // The second pass starts once the first one's batch has run longer than a lease.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.25))
    const second = pass(tenant)
    // The first pass renewed the claims of what it had not started yet: the second finds none of them.
    expect((await second).claimed).toBe(0)
    await first
    for (let i = 0; i < 10 && (await db.communication.count({ where: { accountId: tenant.accountId, status: { not: 'sent' } } })); i++) {
      await pass(tenant)
    }

    const receipts = new Map<string, number>()
    for (const request of sendblue.requests) receipts.set(request.body.content, (receipts.get(request.body.content) ?? 0) + 1)
    const repeated = [...receipts].filter(([, n]) => n > 1)
    expect(repeated, `${repeated.length} of ${BATCH} messages were sent more than once`).toEqual([])
    expect(receipts.size).toBe(BATCH)
    const rows = await db.communication.findMany({ where: { accountId: tenant.accountId }, select: { status: true, attempts: true } })
    expect(rows.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([])
  }, 180_000)

  it('an outcome whose lease was lost is logged, not written over the state of the process that took the message over', async () => {
    const tenant = await tenantWithDueMessages(client, 1, 'lease')
    const [message] = await db.communication.findMany({ where: { accountId: tenant.accountId } })
    sendblue.delayMs = 500
    const { lines, logger } = capturedLogger()
    const running = pass(tenant, {}, logger)
    await waitFor(() => sendblue.requests.length === 1, 'the send')
    await takeOver(message.id)
    expect(await running).toMatchObject({ claimed: 1, sent: 1 })

    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: 'sending',
      attempts: 2,
      leaseToken: 'another-process',
      providerMessageId: null,
      conversationId: null,
    })
    expect(await db.message.count({ where: { accountId: tenant.accountId } })).toBe(0)
    const warning = lines.find((line) => line.msg.startsWith('outcomes not recorded'))
    expect(warning?.communications).toEqual([{ id: message.id, provider_message_id: 'sb-handle-1', error: null }])
  })

  it("the API's dispatch answers 409 when its lease was lost, and writes nothing", async () => {
    const tenant = await tenantWithDueMessages(client, 1, 'lease')
    const [message] = await db.communication.findMany({ where: { accountId: tenant.accountId } })
    sendblue.delayMs = 500
    const dispatching = hubCall(client, tenant, 'POST', `/communications/${message.id}/dispatch`)
    await waitFor(() => sendblue.requests.length === 1, 'the send')
    await takeOver(message.id)
    expect(await dispatching).toMatchObject({
      status: 409,
      body: { message: 'The send outlasted its lease and another process took the message over: its outcome was not recorded' },
    })
    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: 'sending',
      leaseToken: 'another-process',
      providerMessageId: null,
    })
  })

  it('a batch costs statements per group of lanes, not per message', async () => {
    // Accounts in test mode answer at once, so every lane starts and finishes together: one take,
    // one group commit, whatever the batch size (live sends differ only in how outcomes group).
    const wide = { WORKER_CONCURRENCY: '50', WORKER_BATCH_SIZE: '50' }
    const few = await tenantWithDueMessages(client, 5, 'lease')
    const many = await tenantWithDueMessages(client, 50, 'lease')
    await db.account.updateMany({ where: { id: { in: [few.accountId, many.accountId] } }, data: { testMode: true } })
    const forFew = await countStatements(() => pass(few, wide))
    const forMany = await countStatements(() => pass(many, wide))
    const rows = await db.communication.findMany({ where: { accountId: { in: [few.accountId, many.accountId] } } })
    expect(rows.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([])
    expect(forMany).toBe(forFew)
  })
})
