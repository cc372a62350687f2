/**
 * An Idempotency-Key survives a crash: a real server process is killed (SIGKILL) while Twilio
 * holds its POST /api/v1/sms send open, then started again on the same embedded database. The
 * client's retry with the same key gets a proper answer, the message reaches Twilio exactly once
 * and one credit is spent.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'

const ACCOUNT_SID = 'AC0123456789abcdef'
const ADMIN_TOKEN = 'crash-test-admin-token-0123'

/**
 * A Twilio that can hold sends open. A send counts as made only once answered: one whose
 * caller vanished while it was held never went out.
 */
class HoldingTwilio {
  hold = false
  received: string[] = []
  sent: string[] = []
  private held: ServerResponse[] = []
  private server: Server = createServer((req, res) => this.handle(req, res))
  url = ''

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = ''
    for await (const chunk of req) raw += chunk
    const body = new URLSearchParams(raw).get('Body') ?? ''
    this.received.push(body)
    if (this.hold) {
      this.held.push(res)
      return
    }
    this.sent.push(body)
    res.writeHead(201, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ sid: `SM${String(this.sent.length).padStart(32, '0')}`, status: 'queued' }))
  }

  close() {
    for (const res of this.held) res.destroy()
    this.server.closeAllConnections()
    return new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

let serverArgs: string[]
let twilio: HoldingTwilio
let dataDir: string
const running: Running[] = []

beforeAll(async () => {
  serverArgs = await serverArguments('test/generated/main-crash.mjs')
  twilio = new HoldingTwilio()
  await twilio.start()
  dataDir = await mkdtemp(path.join(tmpdir(), 'crm-crash-'))
})
afterAll(async () => {
  await Promise.all(running.map(kill))
  await twilio?.close()
  await rm(dataDir, { recursive: true, force: true })
})

/**
 * The embedded database in DATA_DIR, or the suite's PostgreSQL database when it runs on one. The
 * worker is confined to `workerAccount`, so it never sends for other test files sharing the database.
 */
const env = (workerAccount: string) => ({
  DATA_DIR: dataDir,
  ...(inject('databaseUrl') ? { DATABASE_URL: inject('databaseUrl')! } : {}),
  WORKER_ACCOUNTS: workerAccount,
  ADMIN_TOKEN,
  TWILIO_API_URL: twilio.url,
  // Short leases (an SMS's is at least twice Twilio's 10 s timeout), so the restarted worker soon
  // finds the send its predecessor never finished.
  PROVIDER_TIMEOUT_MS: '1000',
  WORKER_LEASE_MS: '3000',
  WORKER_POLL_MS: '100',
})

async function call(url: string, method: string, pathname: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as any }
}
const gql = (url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
  call(url, 'POST', '/graphql', headers, { query, variables })

describe('a server killed mid-request', () => {
  it('answers the retry with the same key, and the SMS goes out once for one credit', { timeout: 300_000 }, async () => {
    const first = await startServer(serverArgs, env('none-yet'))
    running.push(first)
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
    const account = await gql(first.url, 'mutation { createAccount(input: { name: "Crash" }) { accessCode account { id } } }', {}, admin)
    const { accessCode, account: made } = account.body.data.createAccount
    const accountId = made.id as string
    const login = await fetch(`${first.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }',
        variables: { c: accessCode },
      }),
    })
    const cookie = { cookie: login.headers.get('set-cookie')!.split(';')[0] }
    const created = await gql(first.url, 'mutation { createApiKey(input: { name: "crash", mode: LIVE }) { secret } }', {}, cookie)
    const auth = { authorization: `Bearer ${created.body.data.createApiKey.secret}` }
    const config = { account_sid: ACCOUNT_SID, api_key: 'twilio-auth-token', from_number: '+15555550000' }
    expect((await call(first.url, 'PUT', '/hub/v1/integrations/twilio', auth, { config })).status).toBe(201)
    const credits = async (url: string) =>
      (
        await gql(
          url,
          'mutation($id: ID!) { grantSmsCredits(accountId: $id, amount: 1) { account { smsCredits } } }',
          { id: accountId },
          admin,
        )
      ).body.data.grantSmsCredits.account.smsCredits as number
    const granted = await credits(first.url) // one credit
    const lead = (await call(first.url, 'POST', '/api/v1/leads', auth, { name: 'Crash lead', phone: '+15555550177' })).body.data

    twilio.hold = true
    const body = { lead_id: lead.id, message: 'Your quote is ready' }
    const keyed = { ...auth, 'idempotency-key': 'crash-sms-1' }
    const cutOff = call(first.url, 'POST', '/api/v1/sms', keyed, body).catch((error: unknown) => error)
    await vi.waitFor(() => expect(twilio.received).toHaveLength(1), { timeout: 60_000, interval: 50 })
    await kill(first)
    expect(await cutOff).toBeInstanceOf(Error) // the client got no answer: it retries
    twilio.hold = false

    const second = await startServer(serverArgs, env(accountId))
    running.push(second)
    const retry = await call(second.url, 'POST', '/api/v1/sms', keyed, body)
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual({ success: true, message: 'SMS sent', message_id: expect.any(String) })

    // The restarted worker sends what the killed process never finished, once.
    await vi.waitFor(() => expect(twilio.sent).toEqual(['Your quote is ready']), { timeout: 120_000, interval: 100 })
    const again = await call(second.url, 'POST', '/api/v1/sms', keyed, body)
    expect(again.body).toEqual(retry.body)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    // Later passes send nothing more, and one credit was spent (reading the balance
    // grants one more: it is back where it was after the first grant).
    await new Promise((resolve) => setTimeout(resolve, 6_000))
    expect(twilio.sent).toHaveLength(1)
    expect(await credits(second.url)).toBe(granted)
  })
})
