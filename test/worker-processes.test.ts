/**
 * Worker processes on one PostgreSQL database (skipped on the embedded database, which one
 * process owns): children running the worker bundle under `npm run worker`'s node flags, as that
 * script starts them (plain node, no tsx), confined with
 * WORKER_ACCOUNTS to this file's account (other test files share the database). The fake
 * Sendblue counts what was really sent.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildServer } from '../src/cli/build-server.js'
import { db } from '../src/db/client.js'
import { type TestClient, testApp, testConfig, usesPostgres } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { tenantWithDueMessages } from './support/hub.js'
import { nodeFlagsOf } from './support/node-flags.js'
import type { Tenant } from './support/tenants.js'

const root = path.resolve(import.meta.dirname, '..')

let client: TestClient
let sendblue: FakeProvider
let workerArgs: string[]
const children: ChildProcess[] = []

beforeAll(async () => {
  workerArgs = [...nodeFlagsOf('worker'), await buildServer('src/cli/worker.ts', 'test/generated/cli/worker.mjs')]
  if (!usesPostgres()) return
  sendblue = await fakeSendblue()
  client = await testApp({ SENDBLUE_API_URL: sendblue.url })
})
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})
afterAll(() => sendblue?.close())

function startWorker(tenant: Tenant, env: Record<string, string> = {}): ChildProcess {
  const config = testConfig()
  // node itself, not npm, which would run it as a grandchild that SIGKILL would orphan.
  const child = spawn(process.execPath, workerArgs, {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: inject('databaseUrl')!,
      DATABASE_POOL_SIZE: '4',
      // Far above production's deadlines: a busy machine must not fail a worker's pass.
      DATABASE_CONNECT_TIMEOUT_MS: '60000',
      DATABASE_QUERY_TIMEOUT_MS: '120000',
      SECRET_KEY: config.SECRET_KEY!,
      PUBLIC_URL: config.PUBLIC_URL,
      SENDBLUE_API_URL: sendblue.url,
      WORKER_ACCOUNTS: tenant.accountId,
      WORKER_POLL_MS: '50',
      WORKER_BATCH_SIZE: '25',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  children.push(child)
  return child
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const sentCount = (tenant: Tenant) => db.communication.count({ where: { accountId: tenant.accountId, status: 'sent' } })

/** How many times the fake received each of this tenant's messages. */
function receipts(tenant: Tenant): Map<string, number> {
  const seen = new Map<string, number>()
  for (const request of sendblue.requests) {
    const content = String(request.body.content)
    if (content.startsWith(`m-${tenant.accountId}-`)) seen.set(content, (seen.get(content) ?? 0) + 1)
  }
  return seen
}

describe.skipIf(!usesPostgres())('worker processes on one PostgreSQL database', () => {
  it('two workers over 500 due messages send each exactly once', async () => {
    const tenant = await tenantWithDueMessages(client, 500, 'm')
    sendblue.delayMs = 5
    startWorker(tenant)
    startWorker(tenant)
    await waitFor(async () => (await sentCount(tenant)) === 500, 90_000, '500 messages sent')
    const seen = receipts(tenant)
    expect(seen.size).toBe(500)
    expect([...seen.values()].every((n) => n === 1)).toBe(true)
    const rows = await db.communication.findMany({
      where: { accountId: tenant.accountId },
      select: { attempts: true, leaseExpiresAt: true },
    })
    expect(rows.every((r) => r.attempts === 1 && r.leaseExpiresAt === null)).toBe(true)
  }, 120_000)

  it('a worker killed with SIGKILL mid-batch loses none of its messages and charges only those in flight', async () => {
    const tenant = await tenantWithDueMessages(client, 200, 'm')
    sendblue.reset()
    sendblue.delayMs = 40 // slow sends, so the kill lands while some are in flight
    const lanes = 4
    // One batch is half the messages: the kill lands in the first, with most of it not yet started.
    const env = { WORKER_LEASE_MS: '3000', PROVIDER_TIMEOUT_MS: '1000', WORKER_BATCH_SIZE: '100', WORKER_CONCURRENCY: String(lanes) }
    const victim = startWorker(tenant, env)
    await waitFor(async () => receipts(tenant).size >= 30, 60_000, 'the first sends')
    victim.kill('SIGKILL')
    await new Promise((resolve) => victim.once('exit', resolve))
    const left = await db.communication.findMany({
      where: { accountId: tenant.accountId, status: { not: 'sent' } },
      select: { id: true, status: true, attempts: true },
    })
    const inFlight = left.filter((m) => m.status === 'sending')
    expect(left.length).toBeGreaterThan(inFlight.length)
    expect(inFlight.length).toBeLessThanOrEqual(lanes)
    expect(left.filter((m) => m.status !== 'sending' && m.attempts !== 0)).toEqual([])

    startWorker(tenant, env) // the restart (or a surviving worker) takes over after the leases expire
    await waitFor(async () => (await sentCount(tenant)) === 200, 90_000, 'all 200 messages sent')
    const seen = receipts(tenant)
    expect(seen.size).toBe(200)
    // Only a send cut off between the provider's answer and our write can repeat: at most one per lane.
    expect([...seen.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(lanes)
    // The sends in flight were charged their attempt and retried; every other message went out on its first.
    const rows = await db.communication.findMany({ where: { accountId: tenant.accountId }, select: { id: true, attempts: true } })
    expect(
      rows
        .filter((r) => r.attempts !== 1)
        .map((r) => r.id)
        .sort(),
    ).toEqual(inFlight.map((m) => m.id).sort())
    expect(rows.filter((r) => r.attempts !== 1).every((r) => r.attempts === 2)).toBe(true)
  }, 150_000)
})

describe('npm run worker', () => {
  it('refuses to start on the embedded database, which the server process owns', async () => {
    const child = spawn(process.execPath, workerArgs, {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', DATA_DIR: 'memory://' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise((resolve) => child.once('close', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('config error: DATABASE_URL: a separate worker needs PostgreSQL')
  }, 60_000)
})
