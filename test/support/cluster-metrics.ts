/**
 * A two-process cluster for test/metrics-cluster.test.ts: each worker counts one request of its
 * own, then the first asks for the cluster's metrics as a scrape would and prints them.
 */
import cluster from 'node:cluster'
import { enableMetrics, httpRequests } from '../../src/http/metrics.js'
import { metricsText, serveClusterMetrics } from '../../src/http/metrics-cluster.js'

if (cluster.isPrimary) {
  serveClusterMetrics()
  const workers = [cluster.fork(), cluster.fork()]
  let ready = 0
  cluster.on('message', (_worker, message: { type?: string; text?: string }) => {
    if (message.type === 'counted' && ++ready === workers.length) workers[0].send({ type: 'scrape' })
    if (message.type === 'scraped') {
      process.stdout.write(message.text ?? '')
      for (const worker of workers) worker.kill()
    }
  })
} else {
  enableMetrics()
  httpRequests.inc({ method: 'GET', route: '/v1/conversations', status: '200' })
  process.on('message', async (message: { type?: string }) => {
    if (message.type === 'scrape') process.send!({ type: 'scraped', text: await metricsText() })
  })
  process.send!({ type: 'counted' })
}
