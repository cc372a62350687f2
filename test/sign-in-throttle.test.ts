/**
 * Guessing credentials is bounded per client address (and network), atomically: parallel
 * attempts never get more wrong answers than the limit, in one process or two sharing Redis. Many
 * addresses failing lock out only themselves, never a user signing in from elsewhere. Wrong
 * ADMIN_TOKEN bearers count the same way.
 */
import { randomInt } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PER_ADDRESS_ATTEMPTS } from '../src/context/sign-in-throttle.js'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'
import { createTenant, type Tenant } from './support/tenants.js'

const LOGIN = 'mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

/** A portal sign-in from `clientIp` through a fresh app (fresh counters); answers the error code, or 'OK'. */
const signInWith = (app: TestClient['app']) => async (code: string, clientIp: string) => {
  const response = await app.fetch(
    new Request('http://crm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { c: code } }),
    }),
    { clientIp },
  )
  const body = (await response.json()) as { errors?: { extensions: { code: string } }[] }
  return body.errors?.[0].extensions.code ?? 'OK'
}

const tally = (codes: string[]) => Object.fromEntries([...new Set(codes)].map((code) => [code, codes.filter((c) => c === code).length]))

describe('portal sign-in throttling', () => {
  it('evaluates no more than the limit of 40 parallel wrong codes from one address', async () => {
    const signIn = signInWith((await testApp()).app)
    const codes = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(`wrong-code-${i}`, '203.0.113.9')))
    expect(tally(codes)).toEqual({ UNAUTHENTICATED: PER_ADDRESS_ATTEMPTS, RATE_LIMITED: 40 - PER_ADDRESS_ATTEMPTS })
    // The right code from that address waits too; signing in elsewhere is unaffected.
    expect(await signIn(tenant.accessCode, '203.0.113.9')).toBe('RATE_LIMITED')
    expect(await signIn(tenant.accessCode, '192.0.2.44')).toBe('OK')
  })

  it('lets many failing addresses lock out only themselves', async () => {
    const signIn = signInWith((await testApp()).app)
    // 32 addresses, 11 failures each: more than the old all-clients limit of 300.
    for (let round = 0; round < PER_ADDRESS_ATTEMPTS + 1; round++) {
      await Promise.all(Array.from({ length: 32 }, (_, i) => signIn(`guess-${round}-${i}`, `198.51.100.${i + 1}`)))
    }
    expect(await signIn('guess-once-more', '198.51.100.7')).toBe('RATE_LIMITED')
    expect(await signIn(tenant.accessCode, '192.0.2.45')).toBe('OK')
    expect(await signIn('an-honest-typo', '192.0.2.46')).toBe('UNAUTHENTICATED')
  })

  it('gives a successful sign-in its point back', async () => {
    const signIn = signInWith((await testApp()).app)
    for (let i = 0; i < PER_ADDRESS_ATTEMPTS + 5; i++) expect(await signIn(tenant.accessCode, '192.0.2.47')).toBe('OK')
    expect(await signIn('typo', '192.0.2.47')).toBe('UNAUTHENTICATED')
  })
})

describe('wrong ADMIN_TOKEN bearers', () => {
  const withBearer = (app: TestClient['app'], token: string, clientIp: string, path = '/graphql') =>
    app.fetch(
      new Request(`http://crm.test${path}`, {
        method: path === '/graphql' ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: path === '/graphql' ? JSON.stringify({ query: '{ accounts { id } }' }) : undefined,
      }),
      { clientIp },
    )

  it('are answered 429 after the limit, per address, on GraphQL and REST', async () => {
    const { app } = await testApp()
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => withBearer(app, `not-the-admin-token-${i}`, '203.0.113.20').then((r) => r.status)),
    )
    expect(tally(statuses.map(String))).toEqual({ '401': PER_ADDRESS_ATTEMPTS, '429': 30 - PER_ADDRESS_ATTEMPTS })
    const rest = await withBearer(app, 'still-not-the-token', '203.0.113.20', '/hub/v1/customers')
    expect(rest.status).toBe(429)
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0)
    // Even the right token waits at that address; elsewhere it works.
    expect((await withBearer(app, ADMIN_TOKEN, '203.0.113.20')).status).toBe(429)
    expect((await withBearer(app, ADMIN_TOKEN, '192.0.2.50')).status).toBe(200)
  })

  it('do not count the right token, however many requests it makes at once', async () => {
    const { app } = await testApp()
    const statuses = await Promise.all(Array.from({ length: 30 }, () => withBearer(app, ADMIN_TOKEN, '192.0.2.51').then((r) => r.status)))
    expect(new Set(statuses)).toEqual(new Set([200]))
  })
})

describe.skipIf(!process.env.REDIS_URL)('two server processes sharing Redis', () => {
  const servers: Running[] = []
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(servers.map(kill))
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it('evaluate no more than the limit of 40 parallel wrong codes between them', async () => {
    const args = await serverArguments('test/generated/sign-in-throttle/main.mjs')
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-throttle-'))
      dirs.push(dataDir)
      servers.push(await startServer(args, { DATA_DIR: dataDir, REDIS_URL: process.env.REDIS_URL! }))
    }
    // A loopback address of this run's own, so counters left in Redis by other runs do not count.
    const localAddress = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`
    const codes = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const body = await postFrom(
          localAddress,
          `${servers[i % 2].url}/graphql`,
          JSON.stringify({ query: LOGIN, variables: { c: `wrong-code-${i}` } }),
        )
        return (JSON.parse(body) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code
      }),
    )
    expect(tally(codes)).toEqual({ UNAUTHENTICATED: PER_ADDRESS_ATTEMPTS, RATE_LIMITED: 40 - PER_ADDRESS_ATTEMPTS })
  }, 300_000)
})

/** POSTs JSON from a chosen local address (fetch cannot bind one); resolves with the answer's body. */
function postFrom(localAddress: string, url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      response.on('end', () => resolve(text))
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}
