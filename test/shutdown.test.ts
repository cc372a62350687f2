/**
 * Shutdown under keep-alive load, on a real server process: after SIGTERM every request already
 * sent gets its whole answer, answers tell the client to close the connection (so none keeps
 * sending on it), no connection is cut, and the process exits as soon as that work is done rather
 * than when the grace period runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Agent, request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { buildBundle, startServer } from './support/processes.js'

const CONNECTIONS = 16
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

interface Answer {
  sentAt: number
  status: number
  connection: string | undefined
}

const codeOf = (error: unknown) => {
  const e = error as { code?: string; cause?: { code?: string } }
  return e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : (e.code ?? String(error))
}

describe('shutdown', () => {
  it('under keep-alive load, answers every request it started with Connection: close, cuts none, and exits once they are done', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-shutdown-'))
    dirs.push(dataDir)
    const server = await startServer(await buildBundle('src/main.ts', 'shutdown'), { DATA_DIR: dataDir })
    const agent = new Agent({ connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 60_000 })
    const answers: Answer[] = []
    const failures: string[] = []
    let refusals = 0

    // Each loop keeps one keep-alive connection busy until the server refuses a new connection.
    const loop = async (n: number) => {
      for (let i = 0; ; i++) {
        const sentAt = Date.now()
        try {
          // Readiness reads the database: a request that is still in flight when the signal arrives.
          const response = await request(`${server.url}${(n + i) % 2 ? '/health/ready' : '/health'}`, { dispatcher: agent })
          await response.body.text()
          answers.push({ sentAt, status: response.statusCode, connection: response.headers.connection as string | undefined })
        } catch (error) {
          if (codeOf(error) === 'ECONNREFUSED') {
            refusals++
            return
          }
          failures.push(`${codeOf(error)}: ${(error as Error).message}`)
          if (failures.length > 100) return
        }
      }
    }
    const loops = Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => loop(n)))
    while (answers.length < 500) await new Promise((r) => setTimeout(r, 50))

    server.child.kill('SIGTERM')
    // Once the server has written this line, it is stopping: anything sent after it must be told to close.
    while (!server.stdout().includes('"msg":"shutting down"')) await new Promise((r) => setTimeout(r, 5))
    const stoppingSeenAt = Date.now()
    const code = await server.exited
    await loops
    await agent.close()

    expect(failures, 'requests cut mid-flight').toEqual([])
    expect(code).toBe(0)
    expect(refusals).toBe(CONNECTIONS)
    expect(answers.every((a) => a.status === 200)).toBe(true)
    const afterStop = answers.filter((a) => a.sentAt > stoppingSeenAt)
    // At most one more answer per open connection, and each of those says to close it.
    expect(afterStop.length).toBeLessThanOrEqual(CONNECTIONS)
    expect(afterStop.filter((a) => a.connection !== 'close')).toEqual([])
    expect(answers.filter((a) => a.connection === 'close').length).toBeGreaterThan(0)
    // It exited because the work was done, not because the grace period ran out.
    expect(server.stdout()).not.toContain('grace period over')
    expect(server.stdout()).toContain('"msg":"stopped"')
  }, 300_000)
})
