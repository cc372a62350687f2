/**
 * The server as an operator runs it: `npm start`'s bundle under `npm start`'s node flags, a real
 * process on a real port with the embedded database, stopped with SIGTERM and started again on
 * the same DATA_DIR.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'

const root = path.resolve(import.meta.dirname, '..')
// Node itself, as `npm start` runs it: no npm wrapper between the test's signals and the server.
let serverArgs: string[]
beforeAll(async () => {
  serverArgs = await serverArguments('test/generated/main.mjs')
})
const dirs: string[] = []
// A failed assertion must not leave a server running on its DATA_DIR.
const started: Running[] = []
afterAll(async () => {
  await Promise.all(started.map(kill))
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})
const start = async (env: Record<string, string>) => {
  const running = await startServer(serverArgs, env)
  started.push(running)
  return running
}

/** Waits for a child's output to arrive through its pipe. */
async function eventually<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('timed out waiting')
}

function stop(running: Running): Promise<{ code: number | null; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    running.child.once('exit', (code) => resolve({ code, ms: Date.now() - started }))
    running.child.kill('SIGTERM')
  })
}

async function gql(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  })
  return { body: (await response.json()) as any, response }
}

describe('the server process', () => {
  it('prints the default account once, keeps data across a restart, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-restart-'))
    dirs.push(dataDir)
    const env = { DATA_DIR: dataDir, BOOTSTRAP_ACCESS_CODE: 'bootstrap-code-123' }

    const first = await start(env)
    // The banner is written as the server starts listening; it may reach this process after /health's answer.
    await vi.waitFor(() => {
      expect(first.output()).toContain('Access code:  bootstrap-code-123')
      expect(first.output()).toMatch(/Portal: +http:\/\/127\.0\.0\.1:\d+\/portal/)
    })
    const login = await gql(first.url, `mutation($c: String!) { portalLogin(accessCode: $c) { account { name } } }`, {
      c: 'bootstrap-code-123',
    })
    expect(login.body.data.portalLogin.account.name).toBe('Default')
    const cookie = login.response.headers.get('set-cookie')!.split(';')[0]
    const created = await gql(first.url, `mutation { createApiKey(input: { name: "ops", mode: LIVE }) { secret } }`, {}, { cookie })
    const key = created.body.data.createApiKey.secret
    const listed = await fetch(`${first.url}/v1/conversations`, { headers: { authorization: `Bearer ${key}` } })
    expect(listed.status).toBe(200)
    // A REST answer goes out whole, with its length, not as a chunked stream.
    expect(listed.headers.get('transfer-encoding')).toBeNull()
    expect(Number(listed.headers.get('content-length'))).toBe(Buffer.byteLength(await listed.text()))

    // Files each module finds next to itself are found from the bundle too.
    const portal = await fetch(`${first.url}/portal`)
    expect(portal.status).toBe(200)
    expect(await portal.text()).toContain('</html>')
    const openapi = (await (await fetch(`${first.url}/openapi/crm.json`)).json()) as any
    expect(openapi.paths['/v1/conversations'].get.responses['200'].content['application/json'].example).toBeDefined()
    expect((await fetch(`${first.url}/docs/assets/swagger-ui.css`)).status).toBe(200)

    // A request log line per request, with no secret in it.
    const logLine = await eventually(() =>
      first
        .output()
        .split('\n')
        .find((l) => l.includes('"path":"/v1/conversations"')),
    )
    expect(JSON.parse(logLine)).toMatchObject({
      method: 'GET',
      path: '/v1/conversations',
      status: 200,
      account_id: expect.any(String),
      request_id: expect.any(String),
    })
    expect(first.output()).not.toContain(key)
    expect(first.output()).not.toContain(cookie.split('=')[1])

    const stopped = await stop(first)
    expect(stopped.code).toBe(0)
    expect(stopped.ms).toBeLessThan(10_000)

    const second = await start(env)
    expect(second.output()).not.toContain('Access code')
    const relogin = await gql(second.url, `mutation($c: String!) { portalLogin(accessCode: $c) { account { name } } }`, {
      c: 'bootstrap-code-123',
    })
    expect(relogin.body.data.portalLogin.account.name).toBe('Default')
    // The key's one request was counted in memory and written by the time the first process exited.
    const recookie = relogin.response.headers.get('set-cookie')!.split(';')[0]
    const usage = await gql(second.url, '{ usage(days: 2) { apiKeyDays { name requests } } }', {}, { cookie: recookie })
    expect(usage.body.data.usage.apiKeyDays).toEqual([{ name: 'ops', requests: 1 }])
    const again = await fetch(`${second.url}/v1/conversations`, { headers: { authorization: `Bearer ${key}` } })
    expect(again.status).toBe(200)
    expect((await stop(second)).code).toBe(0)
  }, 300_000)

  it('fails fast on bad configuration with one line per problem, naming the variable', async () => {
    const child = spawn(process.execPath, serverArgs, {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty', RATE_LIMIT_PER_MINUTE: '0', DATABASE_URL: 'mysql://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    const code = await new Promise((resolve) => child.once('close', resolve))
    expect(code).toBe(1)
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('config error:'))
    expect(lines).toHaveLength(3)
    expect(stderr).toMatch(/config error: PORT: /)
    expect(stderr).toMatch(/config error: RATE_LIMIT_PER_MINUTE: /)
    expect(stderr).toMatch(/config error: DATABASE_URL: DATABASE_URL must start with postgres/)
  }, 300_000)
})
