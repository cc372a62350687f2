/**
 * Metrics of a cluster (Node's cluster module: several server processes on one port). A scrape
 * lands on one worker process, which asks the primary; the primary gathers every worker's
 * registry with prom-client's AggregatorRegistry (counters and histograms summed, the queue
 * gauges read from the database reported once) and answers. Outside a cluster, or when the
 * primary does not answer in time, a process answers with its own metrics.
 */
import cluster from 'node:cluster'
import { randomUUID } from 'node:crypto'
import client from 'prom-client'
import { registry } from './metrics.js'

const REQUEST = 'crm:metrics-request'
const ANSWER = 'crm:metrics-answer'
const PRIMARY_DEADLINE_MS = 5_000

// Each worker process answers the primary's AggregatorRegistry from this registry; constructing
// one is what makes prom-client listen for the primary's requests.
client.AggregatorRegistry.setRegistries([registry])
if (cluster.isWorker) new client.AggregatorRegistry()

export const metricsContentType = registry.contentType

/** This process's metrics, or the whole cluster's when it is a cluster worker. */
export function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics()
  return askPrimary().catch(() => registry.metrics())
}

/**
 * Called once by the cluster's primary process: answers its workers' requests for the
 * cluster's metrics.
 */
export function serveClusterMetrics(): void {
  const aggregator = new client.AggregatorRegistry()
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== REQUEST) return
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, text }),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, error: error.message }),
    )
  })
}

function askPrimary(): Promise<string> {
  const id = randomUUID()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('the primary did not answer')), PRIMARY_DEADLINE_MS)
    const onMessage = (message: { type?: string; id?: string; text?: string; error?: string }) => {
      if (message?.type !== ANSWER || message.id !== id) return
      done(message.error ? new Error(message.error) : undefined, message.text)
    }
    function done(error?: Error, text?: string) {
      clearTimeout(timer)
      process.off('message', onMessage)
      if (error) reject(error)
      else resolve(text ?? '')
    }
    process.on('message', onMessage)
    process.send!({ type: REQUEST, id })
  })
}
