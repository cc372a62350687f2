/**
 * The server and CLI bundles as an operator runs them, as child processes: started on a free
 * port and waited for, or run to their exit with what they printed.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { BUNDLES, bundle } from '../../src/cli/build-server.js'
import { nodeFlagsOf } from './node-flags.js'
import { freePort } from './private-servers.js'

const root = path.resolve(import.meta.dirname, '../..')

/** Builds a bundle into a folder of the calling test's own, so no other test's run is rewritten. */
export async function buildBundle(entry: keyof typeof BUNDLES, folder: string): Promise<string> {
  const { outfile } = await bundle(entry, BUNDLES[entry].replace(/^src\/generated\//, `test/generated/${folder}/`))
  return outfile
}

export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

/** Node itself, as `npm start` runs it: no npm wrapper between the test's signals and the process. */
export function spawnBundle(
  file: string,
  env: Record<string, string>,
  { args = [], ...options }: { uid?: number; gid?: number; args?: string[] } = {},
): Spawned {
  let stdout = ''
  let stderr = ''
  const child = spawn(process.execPath, [...nodeFlagsOf('start'), file, ...args], {
    cwd: root,
    // One server process with its worker, as on the embedded database, unless a test asks for a cluster.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', WEB_CONCURRENCY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  })
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  // A process that cannot start at all (EACCES, ENOENT) fails the test that spawned it, not the whole run.
  // 'close' follows 'exit' once the pipes are drained, so stdout() and stderr() are complete then.
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('close', (code) => resolve(code))
    child.once('error', reject)
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

export interface RunningServer extends Spawned {
  url: string
  port: number
}

/** Starts the server bundle and waits until it answers /health. */
export async function startServer(file: string, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort()
  const spawned = spawnBundle(file, { PORT: String(port), ...env })
  const url = `http://127.0.0.1:${port}`
  // A first start migrates the embedded database; on a busy machine that takes a while.
  const deadline = Date.now() + 150_000
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null) throw new Error(`server exited early:\n${spawned.stdout()}${spawned.stderr()}`)
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { ...spawned, url, port }
    await new Promise((r) => setTimeout(r, 200))
  }
  spawned.child.kill('SIGKILL')
  throw new Error(`server did not answer /health:\n${spawned.stdout()}${spawned.stderr()}`)
}
