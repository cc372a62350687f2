/**
 * Requests only a real server sees, sent over a raw TCP socket: a `Host` header the Node adaptor
 * cannot turn into a URL, and a client that goes away halfway through its body. Neither is a
 * fault: the first is a 400 with a JSON body, the second leaves an info line and no error. And
 * /graphql's answers as the Node adaptor writes them (src/endpoints/graphql.ts hands it single
 * results as text): the GraphQL-over-HTTP audit, and the headers every surface adds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { auditServer } from 'graphql-http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'

let server: Running
let dataDir: string
let key: string

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'crm-requests-'))
  const args = await serverArguments('test/generated/server-requests/main.mjs')
  server = await startServer(args, { DATA_DIR: dataDir, BOOTSTRAP_ACCESS_CODE: 'requests-code-123' })
  const gql = async (query: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    })
  const login = await gql('mutation { portalLogin(accessCode: "requests-code-123") { account { id } } }')
  const cookie = login.headers.get('set-cookie')!.split(';')[0]
  const created = (await (await gql('mutation { createApiKey(input: { name: "raw", mode: LIVE }) { secret } }', { cookie })).json()) as any
  key = created.data.createApiKey.secret
}, 300_000)

afterAll(async () => {
  if (server) await kill(server)
  await rm(dataDir, { recursive: true, force: true })
})

/** Writes `data` on a fresh connection; resolves with what came back once the server closes it. */
function exchange(data: string): Promise<string> {
  const { port } = new URL(server.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
    socket.end(data)
  })
}

/** Sends the headers and half of a 1000-byte body, then drops the connection. */
function abandon(head: string, halfBody: string): Promise<void> {
  const { port } = new URL(server.url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`${head}Content-Length: 1000\r\nContent-Type: application/json\r\n\r\n${halfBody}`)
      setTimeout(() => socket.destroy(), 300)
    })
    socket.on('close', () => resolve())
  })
}

const logLines = () =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg?: string; path?: string; status?: number; err?: unknown })

describe('a request the adaptor cannot read', () => {
  it('with a Host port out of range is a 400 with a JSON body, on every path, and the server stays up', async () => {
    for (const target of ['/health', '/graphql', '/api/v1/leads']) {
      const answer = await exchange(`GET ${target} HTTP/1.1\r\nHost: localhost:99999\r\nConnection: close\r\n\r\n`)
      expect(answer, target).toMatch(/^HTTP\/1\.1 400 /)
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4)
      expect(JSON.parse(body), target).toEqual({ error: 'Bad Request', message: expect.any(String) })
      expect(body).not.toMatch(/\bat \S+/) // no stack trace
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
    expect(logLines().filter((line) => line.level >= 50)).toEqual([])
  })
})

describe('a client that disconnects halfway through its body', () => {
  it('is not an error: an info line, status 499, and the server stays healthy', async () => {
    await abandon(`POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n`, '{"name":"Half')
    await abandon('POST /graphql HTTP/1.1\r\nHost: localhost\r\n', '{"query":"mutation { createLead(')
    const closed = await vi.waitFor(
      () => {
        const lines = logLines().filter((line) => line.status === 499)
        expect(lines).toHaveLength(2)
        return lines
      },
      { timeout: 10_000, interval: 100 },
    )
    expect(closed.map((line) => line.path).sort()).toEqual(['/api/v1/leads', '/graphql'])
    expect(logLines().filter((line) => line.level >= 50)).toEqual([])
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })
})

describe('/graphql through the Node adaptor', () => {
  it('passes the graphql-http server audit with no errors', async () => {
    const results = await auditServer({ url: `${server.url}/graphql` })
    const failures = results.filter((r) => r.status === 'error')
    expect(failures.map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([])
  })

  it('answers a query with its cost and the headers of every surface, and a refused one with its status', async () => {
    const ask = (query: string, accept = 'application/graphql-response+json') =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept, 'x-request-id': 'adaptor-check-1' },
        body: JSON.stringify({ query, variables: { n: 5 } }),
      })
    const answer = await ask('query($n: Int) { leadPage(limit: $n) { total items { id } } }')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/)
    expect(answer.headers.get('x-request-id')).toBe('adaptor-check-1')
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Number(answer.headers.get('ratelimit-remaining'))).toBeGreaterThan(0)
    const body = (await answer.json()) as { data: unknown; extensions: unknown }
    expect(body).toEqual({ data: { leadPage: { total: 0, items: [] } }, extensions: { cost: { requested: 6, maximum: 5000 } } })
    const invalid = await ask('query($n: Int) { leadPage(limit: $n) { nope } }')
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    )
    const unauthenticated = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Bearer obq_live_nope', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ leadPage { total } }' }),
    })
    expect(unauthenticated.status).toBe(401)
  })
})
