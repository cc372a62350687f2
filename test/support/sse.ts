/**
 * A subscription's event stream read as a client would: `next()` waits for the next `next` event
 * (parsed), comments (heartbeats) are counted, and `close()` disconnects.
 */
export interface LiveEvent {
  event: string
  id?: string
  data: any
}

export interface Subscription {
  status: number
  headers: Headers
  /** The next event (`next` or `complete`); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<LiveEvent>
  /** Heartbeat comments received so far. */
  heartbeats(): number
  close(): Promise<void>
}

export type Fetch = (request: Request) => Promise<Response>

export async function subscribe(
  fetch: Fetch,
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { key?: string; headers?: Record<string, string> } = {},
): Promise<Subscription> {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json', ...options.headers }
  if (options.key) headers.authorization = `Bearer ${options.key}`
  const response = await fetch(new Request(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) }))
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let comments = 0
  let ended = false
  // After `complete` the server ends the body itself; cancelling it then races Node 20's fetch into a double close.
  let completed = false
  const events: LiveEvent[] = []
  const waiters: ((event: LiveEvent | Error) => void)[] = []
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
          const event: LiveEvent = { event: 'message', data: undefined }
          let data = ''
          let comment = true
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue
            comment = false
            const [field, ...rest] = line.split(':')
            const text = rest.join(':').replace(/^ /, '')
            if (field === 'event') event.event = text
            else if (field === 'id') event.id = text
            else if (field === 'data') data += text
          }
          if (comment) {
            comments++
            continue
          }
          event.data = data ? JSON.parse(data) : undefined
          if (event.event === 'complete') completed = true
          const waiter = waiters.shift()
          if (waiter) waiter(event)
          else events.push(event)
        }
      }
    } catch {}
    ended = true
    for (const waiter of waiters.splice(0)) waiter(new Error('the stream ended'))
  })()
  return {
    status: response.status,
    headers: response.headers,
    next: (timeoutMs = 60_000) => {
      const queued = events.shift()
      if (queued) return Promise.resolve(queued)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(settle), 1)
          reject(new Error(`no event within ${timeoutMs} ms`))
        }, timeoutMs)
        const settle = (event: LiveEvent | Error) => {
          clearTimeout(timer)
          if (event instanceof Error) reject(event)
          else resolve(event)
        }
        waiters.push(settle)
      })
    },
    heartbeats: () => comments,
    close: async () => {
      // Cancelling the body is what a browser does on close(): the connection goes, and the server notices.
      if (!ended && !completed) await reader.cancel().catch(() => {})
      await pump
    },
  }
}
