/** One autocannon run, in its own process so it can be pinned to its own core. Prints JSON. */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as {
  url: string
  connections: number
  seconds: number
  /** A fixed number of requests instead of a duration. */
  amount?: number
  requests: { method?: string; path: string; headers?: Record<string, string>; body?: string }[]
}
const toRequest = (r: (typeof spec.requests)[number]) => ({
  method: (r.method ?? 'GET') as 'GET',
  path: r.path,
  headers: r.headers,
  body: r.body,
})
// A duration: every connection cycles through the whole list (autocannon's sequence). A fixed
// amount: the connections share one queue, so each listed request is sent once, by whichever
// connection is free (ten connections must not post the same event ten times).
let next = 0
const shared = [{ setupRequest: (request: object) => ({ ...request, ...toRequest(spec.requests[next++ % spec.requests.length]) }) }]
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.seconds }),
  requests: spec.amount ? shared : spec.requests.map(toRequest),
})
console.log(
  JSON.stringify({
    requests: result.requests.total,
    // With a fixed amount, the average over whole seconds understates short runs.
    rps: spec.amount ? result.requests.total / (result.duration || 1) : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
)
