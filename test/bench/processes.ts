/**
 * The production bundle (src/generated/main.mjs, as `npm start` runs it) with WEB_CONCURRENCY=1
 * and =2 on PostgreSQL + Redis, no worker processes. Neither is pinned: more processes are there to
 * use more cores, so both may use the whole machine, while the load generator stays on core 1.
 * Server CPU is summed over the process and all its children (the cluster primary hands
 * connections to its children, so its own share counts too).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')
const CLOCK_TICKS = 100 // USER_HZ on Linux
const PAGE_BYTES = 4096

export interface ProcessTree {
  child: ChildProcess
  url: string
  databaseUrl: string
  /** The tree's resident memory now, summed (no SQL counter: the production bundle has no bench channel). */
  stats(): Promise<{ sql: number; rss: number; rssNow: number; heap: number }>
  /** The production bundle has no bench channel to write a heap snapshot through. */
  snapshot(path: string): Promise<void>
  cpuMicros(): number
  stop(): Promise<void>
}

/** Every pid of the tree rooted at pid, the root first. */
function treeOf(pid: number): number[] {
  const pids = [pid]
  for (let i = 0; i < pids.length; i++) {
    // A child belongs to the thread that forked it, so every thread's list is read.
    let threads: string[] = []
    try {
      threads = readdirSync(`/proc/${pids[i]}/task`)
    } catch {
      continue // exited meanwhile
    }
    for (const thread of threads) {
      try {
        const text = readFileSync(`/proc/${pids[i]}/task/${thread}/children`, 'utf8').trim()
        if (text) pids.push(...text.split(' ').map(Number))
      } catch {}
    }
  }
  return pids
}

/** utime + stime, and resident pages, of one process; zero for one that has just exited. */
function statOf(pid: number): { ticks: number; rssPages: number } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return { ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) }
  } catch {
    return { ticks: 0, rssPages: 0 }
  }
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM') // never leave a server behind, even when the bench fails
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/** `node <start flags> src/generated/main.mjs` with env; resolves once /health answers. */
export async function startProduction(env: Record<string, string>, nodeFlags: string[]): Promise<ProcessTree> {
  const bundle = path.join(root, 'src/generated/main.mjs')
  if (!existsSync(bundle)) throw new Error('src/generated/main.mjs is missing: run `npm run build:server` first')
  const port = await freePort()
  const child = spawn(process.execPath, [...nodeFlags, bundle], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}`))))
  exited.catch(() => {})
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    const up = await Promise.race([
      fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ])
    if (up) break
    if (Date.now() > deadline) throw new Error(`server on ${url} not ready within 60 s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const pid = child.pid!
  return {
    child,
    url,
    databaseUrl: env.DATABASE_URL,
    stats: async () => {
      const rss = treeOf(pid).reduce((sum, p) => sum + statOf(p).rssPages * PAGE_BYTES, 0)
      return { sql: 0, heap: 0, rss, rssNow: rss }
    },
    snapshot: () => Promise.reject(new Error('the production bundle takes no heap snapshots')),
    cpuMicros: () => (treeOf(pid).reduce((sum, p) => sum + statOf(p).ticks, 0) * 1_000_000) / CLOCK_TICKS,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
