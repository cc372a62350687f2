/** A real server process (`npm start`'s bundle under its node flags) on a free port, for tests that kill or restart it. */
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { buildServer } from '../../src/cli/build-server.js'
import { nodeFlagsOf } from './node-flags.js'
import { freePort } from './private-servers.js'

const root = path.resolve(import.meta.dirname, '../..')

export interface Running {
  child: ChildProcess
  output: () => string
  url: string
}

/** Builds the bundle once per test file; returns the node arguments that run it. */
export const serverArguments = async (bundle: string) => [...nodeFlagsOf('start'), await buildServer('src/main.ts', bundle)]

export { freePort }

/** Starts the server and waits until /health answers (a first start migrates, which takes a while on a busy machine). */
export async function startServer(
  serverArgs: string[],
  env: Record<string, string>,
  options: { cwd?: string; port?: number } = {},
): Promise<Running> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, serverArgs, {
    cwd: options.cwd ?? root,
    // One server process with its worker, as on the embedded database, unless a test asks for a cluster.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'info', WEB_CONCURRENCY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  // `port`: where the server is expected when the environment does not say (PORT from a .env file).
  const url = `http://127.0.0.1:${options.port ?? (env.PORT || port)}`
  const deadline = Date.now() + 150_000
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

/** SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill. */
export function kill(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) return resolve()
    running.child.once('exit', () => resolve())
    running.child.kill('SIGKILL')
  })
}
