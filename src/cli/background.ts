/**
 * The background work a process runs beside (or instead of) the HTTP server: the worker that
 * sends due messages and delivers webhooks, and CSV imports, which run apart so a long import
 * never delays sends.
 */
import type { Logger } from 'pino'
import type { Config } from '../env.js'
import { startCsvImports } from '../schema/csv/runner.js'
import { startWorker } from '../services/worker/worker.js'

/** Starts both; the returned function stops claiming and waits up to `graceMs` for the work in progress. */
export function startBackground(config: Config, logger: Logger): (graceMs: number) => Promise<void> {
  const stopWorker = startWorker({ config, logger })
  const stopImports = startCsvImports({
    leaseMs: config.WORKER_LEASE_MS,
    pollMs: config.WORKER_POLL_MS,
    logger,
    accountIds: config.WORKER_ACCOUNTS,
  })
  return async (graceMs) => {
    await Promise.all([stopWorker(graceMs), stopImports(graceMs)])
  }
}
