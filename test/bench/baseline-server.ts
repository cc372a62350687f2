/**
 * The yardstick: plain node:http + pg running the same SQL as the real routes (key lookup,
 * page, count) on the same data, writing the same JSON. Same IPC protocol as app-server.ts.
 * `POST /hub/v1/events` inserts the rows the real route writes for a `contract_generated`
 * event (the event, its campaign, three scheduled reminders) in one transaction each.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { text } from 'node:stream/consumers'
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
  const {
    rows: [key],
  } = await query<{ account_id: string }>(`SELECT account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash])
  if (!key) return send(401, { error: 'Unauthorized', message: 'Invalid API key' })
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 200)
  const offset = Number(url.searchParams.get('offset') ?? 0)
  const messages = /^\/v1\/conversations\/([^/]+)\/messages$/.exec(url.pathname)
  if (url.pathname === '/v1/conversations') {
    const [page, count] = await Promise.all([
      query(`SELECT ${conversationColumns} FROM conversations WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, [
        key.account_id,
        limit,
        offset,
      ]),
      query<{ count: string }>(`SELECT count(*) FROM conversations WHERE account_id = $1`, [key.account_id]),
    ])
    return send(200, { data: page.rows.map(iso), pagination: { limit, offset, total: Number(count.rows[0].count) } })
  }
  if (messages) {
    const {
      rows: [conversation],
    } = await query(`SELECT id FROM conversations WHERE id = $1 AND account_id = $2`, [messages[1], key.account_id])
    if (!conversation) return send(404, { error: 'Not Found', message: 'Conversation not found' })
    const [page, count] = await Promise.all([
      query(`SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 ORDER BY created_at ASC, id ASC LIMIT $2 OFFSET $3`, [
        messages[1],
        limit,
        offset,
      ]),
      query<{ count: string }>(`SELECT count(*) FROM messages WHERE conversation_id = $1`, [messages[1]]),
    ])
    return send(200, { data: page.rows.map(iso), pagination: { limit, offset, total: Number(count.rows[0].count) } })
  }
  if (url.pathname === '/hub/v1/events' && req.method === 'POST') {
    const { project_id: projectId, event_type: eventType } = JSON.parse(await text(req)) as { project_id: string; event_type: string }
    const recorded = await recordEvent(key.account_id, projectId, eventType)
    return recorded ? send(201, { data: recorded }) : send(404, { error: 'Not Found', message: 'Project not found' })
  }
  if (url.pathname === '/hub/v1/projects') {
    const stage = url.searchParams.get('pipeline_stage')
    // deleted_at IS NULL, as the server's queries carry it: the list indexes are partial on it.
    const where = stage ? 'account_id = $1 AND pipeline_stage = $2 AND deleted_at IS NULL' : 'account_id = $1 AND deleted_at IS NULL'
    const params = stage ? [key.account_id, stage] : [key.account_id]
    const [page, count] = await Promise.all([
      query(
        `SELECT ${projectColumns} FROM projects WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
      query<{ count: string }>(`SELECT count(*) FROM projects WHERE ${where}`, params),
    ])
    return send(200, {
      data: page.rows.map((r) => iso({ ...r, value: r.value === null ? null : Number(r.value) })),
      pagination: { limit, offset, total: Number(count.rows[0].count) },
    })
  }
  send(404, { error: 'Not Found', message: 'No route' })
})
const REMINDER_DAYS = [1, 7, 23]

async function recordEvent(accountId: string, projectId: string, eventType: string) {
  const {
    rows: [project],
  } = await query<{ name: string; phone: string }>(
    `SELECT p.name, c.phone FROM projects p JOIN customers c ON c.id = p.customer_id WHERE p.id = $1 AND p.account_id = $2 AND p.deleted_at IS NULL`,
    [projectId, accountId],
  )
  if (!project) return null
  const client = await pool.connect()
  try {
    statements += 5
    await client.query('BEGIN')
    const {
      rows: [event],
    } = await client.query<{ id: string }>(
      `INSERT INTO project_events (id, account_id, project_id, event_type, data, source) VALUES (gen_random_uuid()::text, $1, $2, $3, '{}', 'api') RETURNING *`,
      [accountId, projectId, eventType],
    )
    const {
      rows: [campaign],
    } = await client.query<{ id: string }>(
      `INSERT INTO campaigns (id, account_id, project_id, event_id, name, event_type, updated_at) VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, now()) RETURNING id`,
      [accountId, projectId, event.id, `${eventType}: ${project.name}`, eventType],
    )
    const { rows: communications } = await client.query(
      `INSERT INTO communications (id, account_id, channel, status, "to", content, project_id, event_id, campaign_id, scheduled_for, updated_at)
       SELECT gen_random_uuid()::text, $1, 'sms', 'scheduled', $5, 'A friendly reminder that your contract for ' || $6 || ' is waiting for your signature.', $2, $3, $4, now() + (d || ' days')::interval, now()
       FROM unnest($7::int[]) AS d RETURNING *`,
      [accountId, projectId, event.id, campaign.id, project.phone, project.name, REMINDER_DAYS],
    )
    await client.query('COMMIT')
    return { event: iso(event), communications: communications.map(iso) }
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

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
