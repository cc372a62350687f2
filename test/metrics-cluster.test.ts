/**
 * With several server processes in a Node cluster, a scrape reaching any one of them answers for
 * the whole cluster: the primary sums every worker's metrics (src/http/metrics-cluster.ts).
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

it('sums the counters of every process of a cluster', async () => {
  const script = path.resolve(import.meta.dirname, 'support/cluster-metrics.ts')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 120_000 })
  expect(stdout).toContain('crm_http_requests_total{method="GET",route="/v1/conversations",status="200"} 2')
}, 180_000)
