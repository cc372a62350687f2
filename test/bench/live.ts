/**
 * Live subscriptions under load, as an inbox uses them: each subscriber follows one conversation
 * (`messageAdded`), as an agent with a thread open does. Memory: 1,000 subscribers held open on one
 * server process, its resident memory and heap (after a collection) before and after, per
 * subscriber. Delivery: 1,000 subscribers spread over two server processes on PostgreSQL (+ Redis
 * when configured), messages written straight to the database at a steady rate, round-robin over
 * their conversations (each an autocommit insert whose commit time is taken when it returns); a
 * message's latency is from its commit to its arrival at its conversation's subscriber.
 */
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

export interface LiveServer {
  url: string
  /** sql: statements sent so far; rss: peak since the previous call; rssNow: resident now (both after a collection). */
  stats(): Promise<{ sql: number; rss: number; rssNow: number; heap: number }>
  snapshot(path: string): Promise<void>
}

export interface LiveBench {
  subscribers: number
  rssPerSubscriberKb: number
  /** The peak while they were opened (garbage of their requests included). */
  peakRssPerSubscriberKb: number
  heapPerSubscriberKb: number
  messages: number
  deliveries: number
  expected: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** SQL statements both processes sent while messages were delivered, per message. */
  statementsPerMessage: number
}

const MARKER = /live-bench-(\d+)"/g

interface Subscriber {
  close(): void
}

/** One SSE subscriber over plain node:http (cheap to hold by the thousand); `onMessage` gets each marker number. */
function openSubscriber(url: string, key: string, conversationId: string, onMessage: (n: number) => void): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      query: 'subscription($id: ID!) { messageAdded(conversationId: $id) { id content } }',
      variables: { id: conversationId },
    })
    const request = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`subscription answered ${response.statusCode}`))
        response.setEncoding('utf8')
        let opened = false
        let tail = ''
        response.on('data', (chunk: string) => {
          if (!opened) {
            opened = true
            resolve({ close: () => request.destroy() })
          }
          const text = tail + chunk
          let end = 0
          for (const match of text.matchAll(MARKER)) {
            onMessage(Number(match[1]))
            end = match.index + match[0].length
          }
          // A marker split across chunks is read whole with the next one.
          tail = text.slice(Math.max(end, text.length - 40))
        })
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

async function openMany(count: number, open: () => Promise<Subscriber>): Promise<Subscriber[]> {
  const opened: Subscriber[] = []
  // In batches, as clients arriving over a few seconds would.
  for (let i = 0; i < count; i += 50) opened.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, open))))
  return opened
}

export async function benchLive(
  servers: [LiveServer, LiveServer],
  databaseUrl: string,
  account: { id: string; key: string; conversationIds: string[] },
  seconds: number,
  perSecond = 100,
): Promise<LiveBench> {
  const subscribers = 1_000
  const [first, second] = servers
  const ignore = () => {}

  // Memory: 1,000 subscribers on one process. A first round, opened and closed, fills what is
  // built once per process (compiled code, query plans, pools), so the figure is what each holds.
  const conversations = account.conversationIds.slice(0, subscribers)
  if (conversations.length < subscribers) throw new Error(`the live section needs ${subscribers} conversations`)
  let opened = 0
  const warm = await openMany(subscribers, () => openSubscriber(first.url, account.key, conversations[opened++], ignore))
  for (const subscriber of warm) subscriber.close()
  await sleep(2_000)
  const before = await first.stats()
  if (process.env.BENCH_LIVE_SNAPSHOT) await first.snapshot(`${process.env.BENCH_LIVE_SNAPSHOT}.before`)
  opened = 0
  const held = await openMany(subscribers, () => openSubscriber(first.url, account.key, conversations[opened++], ignore))
  await sleep(3_000)
  const after = await first.stats()
  // BENCH_LIVE_SNAPSHOT=<path>: heap snapshots of the process without and with them, to compare.
  if (process.env.BENCH_LIVE_SNAPSHOT) await first.snapshot(process.env.BENCH_LIVE_SNAPSHOT)
  for (const subscriber of held) subscriber.close()
  await sleep(2_000)

  // Delivery: half the subscribers on each process.
  const committed = new Map<number, number>()
  const lags: number[] = []
  let deliveries = 0
  const onMessage = (n: number) => {
    const at = performance.now()
    const wrote = committed.get(n)
    deliveries++
    // A message may arrive before its insert's answer reaches us: its latency counts as 0.
    lags.push(wrote === undefined ? 0 : at - wrote)
  }
  let spreadCount = 0
  const spread = await openMany(subscribers, () => {
    const i = spreadCount++
    return openSubscriber((i % 2 ? second : first).url, account.key, conversations[i], onMessage)
  })
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 })
  const statementsBefore = await sqlOf(servers)
  const total = seconds * perSecond
  const started = performance.now()
  const writes: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    writes.push(
      pool
        .query(
          `INSERT INTO messages (id, account_id, conversation_id, direction, channel, sender, content, status, updated_at)
           VALUES (gen_random_uuid()::text, $1, $2, 'inbound', 'sms', 'customer', $3, 'received', now())`,
          [account.id, conversations[i % subscribers], `live-bench-${i}`],
        )
        .then(() => void committed.set(i, performance.now())),
    )
  }
  await Promise.all(writes)
  const expected = total
  const deadline = performance.now() + 30_000
  while (deliveries < expected && performance.now() < deadline) await sleep(100)
  const statements = (await sqlOf(servers)) - statementsBefore
  for (const subscriber of spread) subscriber.close()
  await pool.end()
  lags.sort((a, b) => a - b)
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN
  return {
    subscribers,
    rssPerSubscriberKb: (after.rssNow - before.rssNow) / subscribers / 1024,
    peakRssPerSubscriberKb: (after.rss - before.rssNow) / subscribers / 1024,
    heapPerSubscriberKb: (after.heap - before.heap) / subscribers / 1024,
    messages: total,
    deliveries,
    expected,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: lags.at(-1) ?? Number.NaN,
    statementsPerMessage: statements / total,
  }
}

/** SQL statements both processes have sent so far. */
async function sqlOf(servers: readonly LiveServer[]): Promise<number> {
  let sum = 0
  for (const server of servers) sum += (await server.stats()).sql
  return sum
}
