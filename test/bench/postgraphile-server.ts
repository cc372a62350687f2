/**
 * The peer a frontend team would compare `/graphql` with: PostGraphile v4 as its documentation
 * sets it up for production, on node:http, over the bench's database. Tenancy is PostGraphile's
 * own way: `pgSettings` looks the API key up (the same statement the baseline runs), switches to a
 * role that row-level security confines to the key's account (`preparePostGraphile` in run.ts
 * creates both), and PostGraphile runs the operation in that transaction. Same IPC protocol as
 * app-server.ts; SQL statements are counted on the pool's clients.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import pg from 'pg'
import { postgraphile } from 'postgraphile'

const role = process.env.BENCH_POSTGRAPHILE_ROLE
if (!role) throw new Error('BENCH_POSTGRAPHILE_ROLE names the role row-level security confines')
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) })
let statements = 0
pool.on('connect', (client) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++
    return query(...args)
  }
})

const accountOf = async (authorization: string | undefined): Promise<string | undefined> => {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
  if (!token) return undefined
  const hash = createHash('sha256').update(token).digest('hex')
  const { rows } = await pool.query<{ account_id: string }>('SELECT account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [
    hash,
  ])
  return rows[0]?.account_id
}

const middleware = postgraphile(pool, 'public', {
  // The options PostGraphile's documentation recommends for production.
  retryOnInitFail: false,
  watchPg: false,
  graphiql: false,
  disableQueryLog: true,
  extendedErrors: [],
  showErrorStack: false,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  dynamicJson: true,
  disableDefaultMutations: true,
  pgSettings: async (req) => {
    const accountId = await accountOf(req.headers.authorization)
    // Without a known key the role sees no row, as a request without an account sees nothing.
    return { role, 'jwt.claims.account_id': accountId ?? '' }
  },
})

const server = createServer(middleware)
server.keepAliveTimeout = 65_000
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
)
/** Peak resident memory since the previous stats request, sampled every 250 ms. */
let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250).unref()
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', sql: statements, rss: Math.max(peakRss, process.memoryUsage().rss) })
  peakRss = 0
})
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0))
