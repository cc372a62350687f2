/**
 * PostgreSQL and Redis servers of a test's own, on free ports in temporary folders, for tests that
 * freeze, stop and restart them (the machine's shared servers are never touched). PostgreSQL runs
 * as the `postgres` user when the tests run as root (it refuses to run as root).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

const onPath = (tool: string) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, tool)))
/** Whether this machine can run private servers (tests that need them are skipped only where it cannot). */
export const canRunPrivateServers = ['initdb', 'pg_ctl', 'redis-server'].every(onPath)

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const asRoot = process.getuid?.() === 0
const postgresUser = async () => {
  const { stdout } = await run('id', ['-u', 'postgres'])
  const { stdout: gid } = await run('id', ['-g', 'postgres'])
  return { uid: Number(stdout), gid: Number(gid) }
}

/** Runs a PostgreSQL tool as a user PostgreSQL accepts. */
const pgTool = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', tool, ...args]) : run(tool, args))

export interface PrivatePostgres {
  url: string
  /** SIGSTOPs the server and every backend: connections stay open and nothing answers. */
  freeze(): Promise<void>
  thaw(): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  cleanup(): Promise<void>
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-private-pg-'))
  const data = path.join(dir, 'data')
  if (asRoot) {
    const { uid, gid } = await postgresUser()
    await chown(dir, uid, gid)
    await chmod(dir, 0o700)
  }
  const port = await freePort()
  await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => void (await pgTool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']))
  const stop = async () => void (await pgTool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {}))
  await start()
  const signalAll = async (signal: NodeJS.Signals) => {
    const postmaster = Number((await readFile(path.join(data, 'postmaster.pid'), 'utf8')).split('\n')[0])
    for (const pid of [postmaster, ...(await childrenOf(postmaster))]) process.kill(pid, signal)
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    stop,
    start,
    async cleanup() {
      await signalAll('SIGCONT').catch(() => {})
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function childrenOf(parent: number): Promise<number[]> {
  const children: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // Fields after the command name (which may contain spaces) start with state, then ppid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid === parent) children.push(Number(entry))
  }
  return children
}

export interface PrivateRedis {
  url: string
  freeze(): void
  thaw(): void
  stop(): Promise<void>
  start(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child = started
    await new Promise<void>((resolve, reject) => {
      let output = ''
      started.stdout!.on('data', (d) => {
        output += d
        if (output.includes('Ready to accept connections')) resolve()
      })
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)))
    })
    started.stdout!.resume()
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    running.kill('SIGCONT')
    await new Promise((resolve) => {
      running.once('exit', resolve)
      running.kill('SIGKILL')
    })
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    stop,
    start,
  }
}
