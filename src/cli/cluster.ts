/**
 * The cluster primary: with WEB_CONCURRENCY above 1 (or WORKER_PROCESSES above 1), `npm start`
 * prepares the database once, then runs WEB_CONCURRENCY server processes sharing one port through
 * node:cluster and WORKER_PROCESSES background worker processes, all children of this one. It
 * serves no requests itself. A child that dies is logged and started again after a pause that
 * doubles with each quick death (0.5 s up to 30 s); SIGTERM/SIGINT stop every child gracefully.
 *
 * Anything that must see all processes (e.g. metrics aggregated across them) extends this module:
 * `children()` lists the running ones, with their role, and `onChild` hears of each one started.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import type { Config } from '../env.js'

/** Which part a child plays: set in its environment as CRM_PROCESS_ROLE (src/env.ts). */
export type ChildRole = NonNullable<Config['CRM_PROCESS_ROLE']>

const FIRST_RESTART_DELAY_MS = 500
const MAX_RESTART_DELAY_MS = 30_000
/** A child that ran this long before dying starts over from the first delay. */
const STABLE_RUN_MS = 60_000
/** Children get their own grace (server 9.5 s, worker 9.5 s) plus this before they are killed. */
const STOP_DEADLINE_MS = 12_000

export interface RunningChild {
  role: ChildRole
  /** Which of the role's processes this is (0-based); a restarted child keeps its slot's index. */
  index: number
  worker: Worker
}

export interface Cluster {
  children(): RunningChild[]
  /** Called for every child started, the first ones and each restart. */
  onChild(listener: (child: RunningChild) => void): void
  /** Resolves once every server process listens and every worker process runs. */
  ready: Promise<void>
  /** Stops every child (SIGTERM, then SIGKILL past the deadline); resolves with the exit code for this process. */
  stop(signal: NodeJS.Signals): Promise<number>
}

interface Slot {
  role: ChildRole
  index: number
  worker: Worker | null
  startedAt: number
  quickDeaths: number
  /** Whether this slot's child has ever become ready (a child that never did is a failed start, not a crash). */
  servedOnce: boolean
  restartTimer: NodeJS.Timeout | null
}

export function startCluster(config: Config, logger: Logger, env: Record<string, string>): Cluster {
  const slots: Slot[] = [
    ...Array.from({ length: config.WEB_CONCURRENCY }, (_, index) => newSlot('web', index)),
    ...Array.from({ length: config.WORKER_PROCESSES }, (_, index) => newSlot('worker', index)),
  ]
  const listeners: ((child: RunningChild) => void)[] = []
  let stopping = false
  let failedStart: ((error: Error) => void) | null = null
  let readyCount = 0
  const ready = new Promise<void>((resolve, reject) => {
    failedStart = reject
    if (slots.length === 0) resolve()
    for (const slot of slots) start(slot, () => ++readyCount === slots.length && resolve())
  })

  function start(slot: Slot, onFirstReady: () => void) {
    const worker = cluster.fork({ ...env, CRM_PROCESS_ROLE: slot.role })
    slot.worker = worker
    slot.startedAt = Date.now()
    const becameReady = () => {
      if (slot.servedOnce) return
      slot.servedOnce = true
      onFirstReady()
    }
    // A server process is ready when it listens; a worker process says so itself.
    if (slot.role === 'web') worker.once('listening', becameReady)
    else worker.on('message', (message) => message === 'ready' && becameReady())
    worker.once('exit', (code, signal) => exited(slot, worker, code, signal))
    for (const listener of listeners) listener({ role: slot.role, index: slot.index, worker })
  }

  function exited(slot: Slot, worker: Worker, code: number | null, signal: string | null) {
    if (slot.worker !== worker) return
    slot.worker = null
    if (stopping) return
    if (!slot.servedOnce) {
      // It could not start (its own output says why): restarting would fail the same way.
      logger.error({ role: slot.role, pid: worker.process.pid, code, signal }, 'a process failed to start: stopping')
      failedStart?.(new Error(`a ${slot.role} process failed to start`))
      return
    }
    const ranMs = Date.now() - slot.startedAt
    slot.quickDeaths = ranMs >= STABLE_RUN_MS ? 0 : slot.quickDeaths + 1
    const delayMs = Math.min(FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, slot.quickDeaths - 1), MAX_RESTART_DELAY_MS)
    logger.error(
      { role: slot.role, index: slot.index, pid: worker.process.pid, code, signal, ran_ms: ranMs, restart_in_ms: delayMs },
      'a process died: restarting it',
    )
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null
      if (!stopping) start(slot, () => {})
    }, delayMs)
  }

  async function stop(signal: NodeJS.Signals): Promise<number> {
    stopping = true
    const codes: (number | null)[] = []
    const running = slots.flatMap((slot) => {
      if (slot.restartTimer) clearTimeout(slot.restartTimer)
      return slot.worker ? [slot.worker] : []
    })
    const deadline = setTimeout(() => {
      logger.warn('processes still running past the deadline: killing them')
      for (const worker of running) worker.process.kill('SIGKILL')
    }, STOP_DEADLINE_MS)
    await Promise.all(
      running.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve()
            worker.once('exit', (code) => {
              codes.push(code)
              resolve()
            })
            // Each child shuts down as it does alone: stops taking work, finishes what it has.
            worker.process.kill(signal)
          }),
      ),
    )
    clearTimeout(deadline)
    return codes.every((code) => code === 0) ? 0 : 1
  }

  return {
    children: () => slots.flatMap((slot) => (slot.worker ? [{ role: slot.role, index: slot.index, worker: slot.worker }] : [])),
    onChild: (listener) => listeners.push(listener),
    ready,
    stop,
  }
}

function newSlot(role: ChildRole, index: number): Slot {
  return { role, index, worker: null, startedAt: 0, quickDeaths: 0, servedOnce: false, restartTimer: null }
}
