/**
 * The yardstick: plain node:http + pg running the same SQL as the real routes (key lookup,
 * page, count) on the same data, writing the same JSON. Same IPC protocol as app-server.ts.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) })
let statements = 0
const query = <T extends pg.QueryResultRow>(sql: string, params: unknown[]) => {
  statements++
  return pool.query<T>(sql, params)
}

const conversationColumns = `id, channel, status, customer_id, lead_id, participant, subject, summary, started_at, ended_at,
  last_message_at, message_count, metadata, created_at, updated_at`
const projectColumns = `id, customer_id, name, pipeline_stage, project_status, address, value, build_date, metadata, created_at, updated_at`
const messageColumns = `id, conversation_id, direction, channel, sender, content, status, provider, provider_message_id, created_at`

const iso = (row: Record<string, unknown>) => {
  for (const [k, v] of Object.entries(row)) if (v instanceof Date) row[k] = v.toISOString()
  return row
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url!, 'http://x')
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }
  if (!token) return send(401, { error: 'Unauthorized', message: 'missing key' })
  const hash = createHash('sha256').update(token).digest('hex')
  const { rows: [key] } = await query<{ account_id: string }>(`SELECT account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash])
  if (!key) return send(401, { error: 'Unauthorized', message: 'Invalid API key' })
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 200)
  const offset = Number(url.searchParams.get('offset') ?? 0)
  const messages = /^\/v1\/conversations\/([^/]+)\/messages$/.exec(url.pathname)
  if (url.pathname === '/v1/conversations') {
    const [page, count] = await Promise.all([
      query(`SELECT ${conversationColumns} FROM conversations WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, [key.account_id, limit, offset]),
      query<{ count: string }>(`SELECT count(*) FROM conversations WHERE account_id = $1`, [key.account_id]),
    ])
    return send(200, { data: page.rows.map(iso), pagination: { limit, offset, total: Number(count.rows[0].count) } })
  }
  if (messages) {
    const { rows: [conversation] } = await query(`SELECT id FROM conversations WHERE id = $1 AND account_id = $2`, [messages[1], key.account_id])
    if (!conversation) return send(404, { error: 'Not Found', message: 'Conversation not found' })
    const [page, count] = await Promise.all([
      query(`SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 ORDER BY created_at ASC, id ASC LIMIT $2 OFFSET $3`, [messages[1], limit, offset]),
      query<{ count: string }>(`SELECT count(*) FROM messages WHERE conversation_id = $1`, [messages[1]]),
    ])
    return send(200, { data: page.rows.map(iso), pagination: { limit, offset, total: Number(count.rows[0].count) } })
  }
  if (url.pathname === '/hub/v1/projects') {
    const stage = url.searchParams.get('pipeline_stage')
    const where = stage ? 'account_id = $1 AND pipeline_stage = $2' : 'account_id = $1'
    const params = stage ? [key.account_id, stage] : [key.account_id]
    const [page, count] = await Promise.all([
      query(`SELECT ${projectColumns} FROM projects WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`, params),
      query<{ count: string }>(`SELECT count(*) FROM projects WHERE ${where}`, params),
    ])
    return send(200, { data: page.rows.map((r) => iso({ ...r, value: r.value === null ? null : Number(r.value) })), pagination: { limit, offset, total: Number(count.rows[0].count) } })
  }
  send(404, { error: 'Not Found', message: 'No route' })
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }))
/** Peak resident memory since the previous stats request, sampled every 250 ms. */
let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250).unref()
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', sql: statements, rss: Math.max(peakRss, process.memoryUsage().rss) })
  peakRss = 0
})
