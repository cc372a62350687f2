/**
 * The embedded default's memory, as `npm start` runs it (src/generated/main.mjs with the start
 * script's node flags, no DATABASE_URL): the peak during the very first start on an empty DATA_DIR
 * (with --demo data) of the server process and of the child process that creates the database
 * cluster (src/db/pglite-init.ts), resident memory right after a later start, and the peak under
 * load (50 clients on GET /v1/conversations?limit=50). The child runs only without a cluster
 * template (src/db/pglite-template.ts; delete src/generated/pglite-template to measure that path).
 * Peaks are the kernel's high-water mark (VmHWM); the child's, and the sum of both processes'
 * resident memory (the machine-wide peak), are sampled every 20 ms, so they may read slightly low.
 *
 *   npm run build:server && npx tsx test/bench/embedded-memory.ts [seconds of load, default 20]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { nodeFlagsOf } from '../support/node-flags.js'

const root = path.resolve(import.meta.dirname, '../..')
const loadSeconds = Number(process.argv[2] ?? 20)
const dataDir = mkdtempSync(path.join(tmpdir(), 'crm-embedded-memory-'))
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
  REDIS_URL: '',
  RATE_LIMIT_PER_MINUTE: '1000000',
}

const megabytes = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))![1]) / 1024

/**
 * Until the returned function is called: the highest VmHWM seen among the process's children, and
 * the highest sum of the process's and its children's resident memory (the machine-wide peak).
 */
function childrenPeak(pid: number): () => { child: number; total: number } {
  let child = 0
  let total = 0
  const timer = setInterval(() => {
    try {
      let sum = megabytes(pid, 'VmRSS')
      for (const each of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean)) {
        child = Math.max(child, megabytes(Number(each), 'VmHWM'))
        sum += megabytes(Number(each), 'VmRSS')
      }
      total = Math.max(total, sum)
    } catch {
      // the process or its child ended between two reads
    }
  }, 20)
  return () => {
    clearInterval(timer)
    return { child, total }
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

async function start(args: string[] = [], onSpawn?: (child: ChildProcess) => void): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [...nodeFlagsOf('start'), 'src/generated/main.mjs', ...args], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  onSpawn?.(child)
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })

const admin = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, ['src/generated/cli/admin.mjs', ...args, '--json'], { cwd: root, env, encoding: 'utf8' }))

try {
  let initdbPeak = () => ({ child: 0, total: 0 })
  const first = await start(['--demo'], (child) => {
    initdbPeak = childrenPeak(child.pid!)
  })
  const firstStart = megabytes(first.child.pid!, 'VmHWM')
  const firstStartChild = initdbPeak()
  await stop(first.child)
  const { accounts } = admin('list-accounts') as { accounts: { id: string; name: string }[] }
  const account = accounts.find((a) => /demo/i.test(a.name)) ?? accounts[0]
  const created = admin('create-key', account.id, '--scope', 'read:conversations')
  const key: string = created.secret

  const again = await start()
  const pid = again.child.pid!
  const afterStart = megabytes(pid, 'VmRSS')
  const specFile = path.join(tmpdir(), `embedded-memory-${process.pid}.json`)
  const requests = [{ path: '/v1/conversations?limit=50', headers: { authorization: `Bearer ${key}` } }]
  writeFileSync(specFile, JSON.stringify({ url: again.url, connections: 50, seconds: loadSeconds, requests }))
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/bench/load.ts'), specFile], { encoding: 'utf8' })
  const load = JSON.parse(out.trim().split('\n').at(-1)!) as { rps: number; non2xx: number }
  const underLoad = megabytes(pid, 'VmHWM')
  const settled = megabytes(pid, 'VmRSS')
  await stop(again.child)
  console.log(
    JSON.stringify({
      firstStartPeakMb: Math.round(firstStart),
      firstStartChildPeakMb: Math.round(firstStartChild.child),
      firstStartTotalPeakMb: Math.round(Math.max(firstStart, firstStartChild.total)),
      afterStartMb: Math.round(afterStart),
      underLoadPeakMb: Math.round(underLoad),
      afterLoadMb: Math.round(settled),
      rps: Math.round(load.rps),
      non2xx: load.non2xx,
    }),
  )
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
