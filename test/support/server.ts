/**
 * A real server process, as `npm start` runs it (its bundle under its node flags), on a free
 * port, for tests that need what app.fetch cannot show: raw sockets, signals, the process's log.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { buildServer } from '../../src/cli/build-server.js'
import { nodeFlagsOf } from './node-flags.js'

const root = path.resolve(import.meta.dirname, '../..')
let serverArgs: Promise<string[]> | undefined

/** Node itself, as `npm start` runs it: no npm wrapper between the test's signals and the server. */
export const serverCommand = (): Promise<string[]> =>
  (serverArgs ??= buildServer('src/main.ts', 'test/generated/main.mjs').then((bundle) => [...nodeFlagsOf('start'), bundle]))

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface Running {
  child: ChildProcess
  output: () => string
  url: string
}

export async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, await serverCommand(), {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  // A first start migrates the embedded database; on a busy machine that takes a while.
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`)
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { child, output: () => output, url }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill('SIGKILL')
  throw new Error(`server did not answer /health:\n${output}`)
}

/** Waits for a child's output to arrive through its pipe. */
export async function eventually<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('timed out waiting')
}

export function stop(running: Running): Promise<{ code: number | null; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    running.child.once('exit', (code) => resolve({ code, ms: Date.now() - started }))
    running.child.kill('SIGTERM')
  })
}
