/**
 * The real server for the benchmark, as main.ts builds it, plus an IPC channel through which
 * the bench asks for SQL statement counts and memory (no debug endpoint in the product).
 */
import type { Server } from 'node:http'
import { writeHeapSnapshot } from 'node:v8'
import { createAdaptorServer } from '@hono/node-server'
import { pino } from 'pino'
import { createApp } from '../../src/app.js'
import { connectDb, sqlStatements } from '../../src/db/client.js'
import { loadConfig } from '../../src/env.js'
import { startTracing } from '../../src/http/tracing.js'
import { startCsvImports } from '../../src/schema/csv/runner.js'

const config = loadConfig()
await startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: 'crm-bench' })
// BENCH_UNCONFINED=1 runs without the tenancy extension, only to measure what it costs.
await connectDb({
  databaseUrl: config.DATABASE_URL,
  poolSize: config.DATABASE_POOL_SIZE,
  statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  confined: process.env.BENCH_UNCONFINED !== '1',
})
const app = createApp(config, pino({ level: 'silent' }))
// The same Node adapter as src/main.ts, so the bench measures what production runs.
const server = createAdaptorServer({ fetch: (request: Request) => app.fetch(request) }) as Server
server.keepAliveTimeout = 65_000
server.listen(config.PORT, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }))
/** Peak resident memory since the previous stats request, sampled every 250 ms. */
let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250).unref()
process.on('message', (message: { type: string; path?: string }) => {
  if (message.type === 'snapshot') {
    // BENCH_LIVE_SNAPSHOT: what each open stream holds, read in DevTools (Memory → Load).
    ;(globalThis as { gc?: () => void }).gc?.()
    process.send?.({ type: 'snapshot', path: writeHeapSnapshot(message.path) })
    return
  }
  if (message.type === 'stats') {
    // Servers started with --expose-gc (the live section) measure what is held, not garbage not yet collected.
    ;(globalThis as { gc?: () => void }).gc?.()
    process.send?.({
      type: 'stats',
      sql: sqlStatements.count,
      rss: Math.max(peakRss, process.memoryUsage().rss),
      rssNow: process.memoryUsage().rss,
      heap: process.memoryUsage().heapUsed,
    })
  }
  peakRss = 0
})
// BENCH_CSV_IMPORTS=1 runs the CSV import job in this process, as `npm start` does with one process.
if (process.env.BENCH_CSV_IMPORTS === '1') startCsvImports({ leaseMs: config.WORKER_LEASE_MS, pollMs: config.WORKER_POLL_MS })
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0))
