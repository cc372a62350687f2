import { beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { KEY_REVOKED_CHANNEL } from '../src/context/key-cache.js'
import { ALL_SCOPES } from '../src/context/principal.js'
import { parseApiKey } from '../src/crypto.js'
import { db, pgListener } from '../src/db/client.js'
import { ADMIN_TOKEN, countStatements, type TestClient, testApp, usesPostgres } from './support/app.js'
import { createTenant, login } from './support/tenants.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

describe('admin operations', () => {
  it('exist only for ADMIN_TOKEN', async () => {
    const tenant = await createTenant(client)
    const asKey = await client.gql(`{ accounts { id } }`, {}, { key: tenant.key })
    expect(asKey.errors?.[0].extensions.code).toBe('FORBIDDEN')
    const anonymous = await client.gql(`{ accounts { id } }`)
    expect(anonymous.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    const asAdmin = await client.gql(`{ accounts { id name smsCredits createdAt } }`, {}, { key: ADMIN_TOKEN })
    expect(asAdmin.data.accounts.map((a: { id: string }) => a.id)).toContain(tenant.accountId)
  })

  it('are refused when the server has no ADMIN_TOKEN, even with the old token', async () => {
    const noAdmin = await testApp({ ADMIN_TOKEN: '' })
    const result = await noAdmin.gql(`{ accounts { id } }`, {}, { key: ADMIN_TOKEN })
    expect(result.status).toBe(401)
    expect(result.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  it('create an account whose access code is shown once and stored only as a hash', async () => {
    const result = await client.gql(
      `mutation { createAccount(input: { name: "Acme Roofing" }) { accessCode account { id name smsCredits } } }`,
      {},
      { key: ADMIN_TOKEN },
    )
    const { accessCode, account } = result.data.createAccount
    expect(account).toMatchObject({ name: 'Acme Roofing', smsCredits: 0 })
    const stored = await db.account.findUniqueOrThrow({ where: { id: account.id } })
    expect(JSON.stringify(stored)).not.toContain(accessCode)
    expect(stored.accessCodeHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('rotate an access code: the old one stops working, the new one works', async () => {
    const tenant = await createTenant(client)
    const rotated = await client.gql(
      `mutation($id: ID!) { rotateAccessCode(accountId: $id) { accessCode } }`,
      { id: tenant.accountId },
      { key: ADMIN_TOKEN },
    )
    const fresh = rotated.data.rotateAccessCode.accessCode
    const old = await client.gql(`mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }`, { c: tenant.accessCode })
    expect(old.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    expect(await login(client, fresh)).toMatch(/^obq_session=/)
    // Sessions opened with the old code end with it.
    const keys = await client.gql(`{ apiKeys { id } }`, {}, { cookie: tenant.cookie })
    expect(keys.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  it('grant SMS credits, refusing nonsense amounts and unknown accounts', async () => {
    const tenant = await createTenant(client)
    const grant = (accountId: string, amount: number) =>
      client.gql(
        `mutation($id: ID!, $n: Int!) { grantSmsCredits(accountId: $id, amount: $n) { account { id smsCredits } } }`,
        { id: accountId, n: amount },
        { key: ADMIN_TOKEN },
      )
    expect((await grant(tenant.accountId, 100)).data.grantSmsCredits.account.smsCredits).toBe(100)
    expect((await grant(tenant.accountId, 0)).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await grant('nope', 5)).errors?.[0].extensions.code).toBe('NOT_FOUND')
  })
})

describe('portal login', () => {
  it('sets an HttpOnly, SameSite session cookie that lasts at most 12 hours', async () => {
    const tenant = await createTenant(client)
    const result = await client.gql(`mutation($c: String!) { portalLogin(accessCode: $c) { account { id name } } }`, {
      c: tenant.accessCode,
    })
    expect(result.data.portalLogin.account.id).toBe(tenant.accountId)
    const cookie = result.response.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Max-Age=43200/)
  })

  it('answers a wrong code with UNAUTHENTICATED, and throttles repeated failures', async () => {
    const throttled = await testApp()
    // A fresh address per run: with REDIS_URL the counters outlive the process.
    const clientIp = `198.51.100.${Math.floor(Math.random() * 250)}-${Date.now()}`
    const attempt = (code: string) =>
      throttled.app.fetch(
        new Request('http://crm.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: `mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }`,
            variables: { c: code },
          }),
        }),
        { clientIp },
      )
    const first = await (await attempt('wrong-code-1')).json()
    expect(first.errors[0]).toMatchObject({ message: 'Wrong access code', extensions: { code: 'UNAUTHENTICATED' } })
    for (let i = 0; i < 9; i++) await attempt(`wrong-${i}`)
    const blocked = await attempt('wrong-again')
    const body = await blocked.json()
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED')
    expect(body.errors[0].message).toMatch(/Too many failed sign-in attempts/)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('logout ends the session', async () => {
    const tenant = await createTenant(client)
    const out = await client.gql(`mutation { portalLogout }`, {}, { cookie: tenant.cookie })
    expect(out.data.portalLogout).toBe(true)
    expect(out.response.headers.get('set-cookie')).toMatch(/Max-Age=0/)
    const after = await client.gql(`{ apiKeys { id } }`, {}, { cookie: tenant.cookie })
    expect(after.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  it('ignores the session cookie on cross-site writes', async () => {
    const tenant = await createTenant(client)
    const result = await client.gql(
      `mutation { createApiKey(input: { name: "x", mode: LIVE }) { secret } }`,
      {},
      {
        cookie: tenant.cookie,
        headers: { origin: 'https://evil.example' },
      },
    )
    expect(result.errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
  })
})

describe('API keys', () => {
  it('have the documented format, with every scope by default, and are stored only as a hash', async () => {
    const tenant = await createTenant(client)
    const result = await client.gql(
      `mutation { createApiKey(input: { name: "zapier", mode: TEST }) { secret apiKey { id name prefix mode scopes lastUsedAt revokedAt } } }`,
      {},
      { cookie: tenant.cookie },
    )
    const { secret, apiKey } = result.data.createApiKey
    expect(secret).toMatch(/^obq_test_[A-Za-z0-9_-]{43}[0-9a-z]{7}$/)
    expect(parseApiKey(secret)).toMatchObject({ ok: true, mode: 'TEST' })
    expect(secret.startsWith(apiKey.prefix)).toBe(true)
    expect([...apiKey.scopes].sort()).toEqual([...ALL_SCOPES].sort())
    const stored = await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })
    expect(JSON.stringify(stored)).not.toContain(secret)
    const listed = await client.gql(
      `{ apiKeys { id name prefix mode scopes createdAt expiresAt lastUsedAt revokedAt } }`,
      {},
      { cookie: tenant.cookie },
    )
    expect(JSON.stringify(listed.data)).not.toContain(secret)
  })

  it('reject unknown scopes, empty names and past expiry', async () => {
    const tenant = await createTenant(client)
    const create = (input: Record<string, unknown>) =>
      client.gql(
        `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
        { i: { name: 'k', mode: 'LIVE', ...input } },
        { cookie: tenant.cookie },
      )
    expect((await create({ scopes: ['read:everything'] })).errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('read:everything'),
    })
    expect((await create({ name: '   ' })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await create({ expiresAt: '2001-01-01T00:00:00Z' })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await create({ mode: 'PROD' })).errors?.[0].message).toMatch(/KeyMode/)
  })

  it('cannot be managed with an API key', async () => {
    const tenant = await createTenant(client)
    const result = await client.gql(`{ apiKeys { id } }`, {}, { key: tenant.key })
    expect(result.errors?.[0].extensions.code).toBe('FORBIDDEN')
  })

  it('record lastUsedAt, and a revoked key gets 401 on its very next request', async () => {
    const tenant = await createTenant(client)
    const { secret, id } = await tenant.createKey()
    expect((await client.call('GET', '/v1/conversations', { key: secret })).status).toBe(200)
    const used = await db.apiKey.findUniqueOrThrow({ where: { id } })
    expect(used.lastUsedAt).toBeInstanceOf(Date)
    const revoked = await client.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id }, { cookie: tenant.cookie })
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy()
    const response = await client.call('GET', '/v1/conversations', { key: secret })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: 'Unauthorized', message: 'API key has been revoked' })
  })

  it('an expired key gets 401 from the moment it expires, even while this process remembers it', async () => {
    const tenant = await createTenant(client)
    const { secret } = await tenant.createKey({ expiresAt: new Date(Date.now() + 5_000).toISOString() })
    expect((await client.call('GET', '/v1/conversations', { key: secret })).status).toBe(200)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6_000 }) // well inside the cache's lifetime
    try {
      const response = await client.call('GET', '/v1/conversations', { key: secret })
      expect(response.status).toBe(401)
      expect((await response.json()).message).toBe('API key has expired')
    } finally {
      vi.useRealTimers()
    }
  })

  it('a key revoked by another server process is refused once its notice arrives', async () => {
    const tenant = await createTenant(client)
    const { secret, id } = await tenant.createKey()
    expect((await client.call('GET', '/v1/conversations', { key: secret })).status).toBe(200)
    expect(await countStatements(() => client.call('GET', '/v1/conversations', { key: secret }))).toBe(2) // no key read: remembered
    // What another process's revokeApiKey does: this process learns of it only through the notice.
    await db.$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } })
      await tx.$executeRaw`SELECT pg_notify(${KEY_REVOKED_CHANNEL}, ${id})`
    })
    // The notice arrives asynchronously (on PostgreSQL, over the listening connection); the key's
    // entry lives 60 s, so a 401 within the default 1 s wait can only come from the notice.
    let response!: Response
    await vi.waitFor(async () => {
      response = await client.call('GET', '/v1/conversations', { key: secret })
      expect(response.status).toBe(401)
    })
    expect((await response.json()).message).toBe('API key has been revoked')
  })

  it("cannot revoke another account's key", async () => {
    const a = await createTenant(client)
    const b = await createTenant(client)
    const { id } = await b.createKey()
    const result = await client.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id }, { cookie: a.cookie })
    expect(result.errors?.[0].extensions.code).toBe('NOT_FOUND')
    expect((await db.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull()
  })

  it.each([
    ['no scheme', 'obq_live_abc'],
    ['wrong scheme', 'Basic dXNlcjpwYXNz'],
    ['bad format', 'Bearer not-a-key'],
    ['bad checksum', `Bearer obq_live_${'A'.repeat(43)}0000000`],
    ['unknown key', 'Bearer __KEY__'],
  ])('a malformed or unknown Authorization header (%s) gets 401 with the documented body', async (_name, header) => {
    const tenant = await createTenant(client)
    const unknown = tenant.key.slice(0, -13) + 'A'.repeat(6) + tenant.key.slice(-7)
    const response = await client.call('GET', '/v1/conversations', {
      headers: { authorization: header.replace('__KEY__', fixChecksum(unknown)) },
    })
    expect(response.status).toBe(401)
    const body = await response.json()
    expect(body.error).toBe('Unauthorized')
    expect(body.message).toBeTruthy()
  })
})

/** A syntactically valid key that was never issued. */
function fixChecksum(key: string) {
  const head = key.slice(0, -7)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { crc32 } = require('node:zlib') as typeof import('node:zlib')
  return head + crc32(head).toString(36).padStart(7, '0')
}

describe.skipIf(!usesPostgres())('the revocation listener on PostgreSQL', () => {
  it('reports a lost connection, listens again, and then receives notices', async () => {
    const channel = `test_listener_${Date.now()}` // a channel of its own: no other test's listener is touched
    const states: boolean[] = []
    const notices: string[] = []
    let changed = () => {}
    const stop = pgListener(
      inject('databaseUrl')!,
      channel,
      (payload) => notices.push(payload),
      (listening) => {
        states.push(listening)
        changed()
      },
    )
    const nextState = () => new Promise<void>((resolve) => (changed = resolve))
    try {
      if (!states.length) await nextState()
      expect(states).toEqual([true])
      const lost = nextState()
      await db.$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = ${`LISTEN "${channel}"`}`
      await lost
      expect(states).toEqual([true, false]) // the key cache forgets everything and stops caching here
      await nextState() // reconnected after a pause
      expect(states).toEqual([true, false, true])
      await db.$executeRaw`SELECT pg_notify(${channel}, 'key-1')`
      await vi.waitFor(() => expect(notices).toEqual(['key-1']))
    } finally {
      await stop()
    }
  })
})
