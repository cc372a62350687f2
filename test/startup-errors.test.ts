/**
 * A process that cannot start says why in one line naming the variable to fix, and exits 1: an
 * unreachable or missing database (after retrying for DATABASE_CONNECT_RETRY_MS), a port in use,
 * a DATA_DIR that cannot be created or written, and a DATA_DIR another process is using (a second
 * server, `npm run demo` or `npm run db:migrate` beside a running server would lose its data).
 */
import { execFileSync } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canRunPrivateServers, freePort, type PrivatePostgres, startPrivatePostgres } from './support/private-servers.js'
import { buildBundle, spawnBundle, startServer } from './support/processes.js'

let server: string
let migrate: string
const dirs: string[] = []
beforeAll(async () => {
  server = await buildBundle('src/main.ts', 'startup-errors')
  migrate = await buildBundle('src/cli/migrate.ts', 'startup-errors')
})
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-startup-'))
  dirs.push(dir)
  return dir
}

function canRun(user: string, file: string): boolean {
  try {
    execFileSync('runuser', ['-u', user, '--', 'test', '-r', file], { stdio: 'ignore' })
    execFileSync('runuser', ['-u', user, '--', 'test', '-x', process.execPath], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Runs a bundle to its exit; its standard error must be exactly one line. */
async function failsWithOneLine(file: string, env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  const run = spawnBundle(file, env, options)
  const code = await run.exited
  const lines = run.stderr().trim().split('\n')
  expect(lines, run.stderr()).toHaveLength(1)
  expect(code).toBe(1)
  return { line: lines[0], stdout: run.stdout() }
}

describe('start-up failures', () => {
  it('an unreachable database is retried with backoff, then named in one line', async () => {
    const port = await freePort() // nothing listens there
    const { line, stdout } = await failsWithOneLine(server, {
      DATABASE_URL: `postgres://crm:secret-password@127.0.0.1:${port}/crm`,
      DATABASE_CONNECT_RETRY_MS: '3000',
      SECRET_KEY: 'a-secret-key-of-at-least-32-characters',
    })
    expect(line).toMatch(
      new RegExp(`^start-up error: DATABASE_URL: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/crm .*DATABASE_CONNECT_RETRY_MS`),
    )
    expect(line).not.toContain('secret-password')
    const retries = stdout.split('\n').filter((l) => l.includes('database not reachable yet: retrying'))
    expect(retries.length).toBeGreaterThan(1)
  }, 120_000)

  describe.skipIf(!canRunPrivateServers)('with a PostgreSQL server', () => {
    let postgres: PrivatePostgres
    beforeAll(async () => {
      postgres = await startPrivatePostgres()
    }, 120_000)
    afterAll(() => postgres?.cleanup())

    it('a database that does not exist is named at once, without waiting out the retries', async () => {
      const url = postgres.url.replace(/\/postgres$/, '/no_such_database')
      const { line, stdout } = await failsWithOneLine(server, {
        DATABASE_URL: url,
        DATABASE_CONNECT_RETRY_MS: '600000',
        SECRET_KEY: 'a-secret-key-of-at-least-32-characters',
      })
      expect(line).toMatch(
        /^start-up error: DATABASE_URL: PostgreSQL at 127\.0\.0\.1:\d+\/no_such_database refused us: .*no_such_database.* does not exist/,
      )
      expect(stdout).not.toContain('retrying')
    }, 120_000)
  })

  it('a port in use is named in one line', async () => {
    const taken: Server = createServer()
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    )
    try {
      const { line } = await failsWithOneLine(server, { PORT: String(port), DATA_DIR: await tempDir() })
      expect(line).toBe(`start-up error: PORT: 127.0.0.1:${port} is already in use by another process`)
    } finally {
      taken.close()
    }
  }, 300_000)

  it('a DATA_DIR that cannot be created is named in one line', async () => {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'a-file'), '')
    const dataDir = path.join(dir, 'a-file', 'data')
    const { line } = await failsWithOneLine(server, { DATA_DIR: dataDir })
    expect(line).toBe(`start-up error: DATA_DIR: ${dataDir} cannot be created (ENOTDIR)`)
  }, 120_000)

  it('a read-only DATA_DIR is named in one line', async (ctx) => {
    const dataDir = await tempDir()
    // Root may write anywhere: run as an ordinary user then (the folder stays root's), otherwise make it read-only.
    const asRoot = process.getuid?.() === 0
    // That user must be able to read the checkout and run this Node (a private temporary clone, or a Node
    // unpacked under /root, is out of its reach).
    if (asRoot && !canRun('postgres', server)) ctx.skip()
    const user = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) } : {}
    await chmod(dataDir, asRoot ? 0o755 : 0o555)
    const { line } = await failsWithOneLine(server, { DATA_DIR: dataDir }, user)
    expect(line).toBe(`start-up error: DATA_DIR: ${dataDir} is not writable by this process (EACCES)`)
    await chmod(dataDir, 0o755)
  }, 120_000)

  it('a second process on a running server’s DATA_DIR is refused in one line, and the server’s data stays', async () => {
    const dataDir = await tempDir()
    const running = await startServer(server, { DATA_DIR: dataDir, BOOTSTRAP_ACCESS_CODE: 'lock-test-code-1' })
    try {
      const { line } = await failsWithOneLine(migrate, { DATA_DIR: dataDir })
      expect(line).toBe(
        `start-up error: DATA_DIR: ${dataDir} is in use by another process (a running server, demo or migration); stop it or choose another DATA_DIR`,
      )
      const second = await failsWithOneLine(server, { DATA_DIR: dataDir, PORT: String(await freePort()) })
      expect(second.line).toBe(line)
      // The running server still has its data: its account signs in.
      const login = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { portalLogin(accessCode: "lock-test-code-1") { account { name } } }' }),
      })
      expect(((await login.json()) as any).data.portalLogin.account.name).toBe('Default')
    } finally {
      running.child.kill('SIGTERM')
      await running.exited
    }
    // Once the server has stopped, the folder is free again.
    const again = spawnBundle(migrate, { DATA_DIR: dataDir })
    expect(await again.exited).toBe(0)
    expect(again.stdout()).toContain('database is up to date')
  }, 300_000)
})
