'use client'
/**
 * Live subscriptions for the portal: one POST /graphql per subscription, answered as server-sent
 * events (GraphQL over SSE, distinct connections), on the same origin with the session cookie, as
 * docs/examples/live-inbox.ts does with an API key. When the stream ends or the network drops,
 * it subscribes again from the last event id received (as `Last-Event-ID` and as `after`), so
 * nothing committed in between is missed; an error that retrying cannot fix goes to `onError`.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream'
import type { TypedDocumentString } from '../gql/graphql'
import { GraphQLRequestError } from './graphql'

interface Result<R> {
  data?: R | null
  errors?: { message: string; extensions?: { code?: string } }[]
  extensions?: { cursor?: string }
}

interface SubscribeOptions<R> {
  /** Each result, with its change-feed cursor (the SSE event id). */
  onData: (data: R, cursor: string | undefined) => void | Promise<void>
  /** A refusal the server will repeat (no scope, not found, session ended): the subscription stops. */
  onError: (error: GraphQLRequestError) => void
  /** True while a stream is open, false while reconnecting. */
  onConnected?: (connected: boolean) => void
  signal: AbortSignal
}

/** Waits after a dropped stream, longer each time in a row, at most 15 s. */
const backoff = (attempt: number) => Math.min(1_000 * 2 ** attempt, 15_000)

/** Runs a subscription until `signal` aborts; never rejects. */
export async function subscribe<R, V extends { after?: string | null }>(
  document: TypedDocumentString<R, V>,
  variables: V,
  options: SubscribeOptions<R>,
): Promise<void> {
  const { signal } = options
  let lastEventId = variables.after ?? undefined
  let failures = 0
  while (!signal.aborted) {
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          ...(lastEventId && lastEventId !== 'now' ? { 'last-event-id': lastEventId } : {}),
        },
        body: JSON.stringify({ query: document.toString(), variables: { ...variables, after: lastEventId ?? null } }),
        signal,
      })
      if (!response.ok || !response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
        return options.onError(await refusal(response))
      }
      options.onConnected?.(true)
      for await (const event of events<R>(response.body, signal)) {
        failures = 0
        const error = event.result.errors?.[0]
        if (error && error.extensions?.code !== 'SERVICE_UNAVAILABLE') {
          return options.onError(new GraphQLRequestError(error.message, error.extensions?.code))
        }
        if (event.result.data) await options.onData(event.result.data, event.result.extensions?.cursor ?? event.id)
        lastEventId = event.result.extensions?.cursor ?? event.id ?? lastEventId
      }
    } catch {
      // A dropped connection (or an abort, checked below) is retried from the last event id.
    }
    if (signal.aborted) return
    options.onConnected?.(false)
    await sleep(backoff(failures++), signal)
  }
}

/** Why the server would not open a stream, in the words of its answer. */
async function refusal(response: Response): Promise<GraphQLRequestError> {
  try {
    const body = (await response.json()) as Result<unknown>
    const error = body.errors?.[0]
    if (error) return new GraphQLRequestError(error.message, error.extensions?.code)
  } catch {
    // Not GraphQL's answer (a proxy's page): described by its status below.
  }
  return new GraphQLRequestError(`The live connection was refused (${response.status} ${response.statusText}).`, 'HTTP')
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', cancel)
      resolve()
    }, ms)
    const cancel = () => {
      clearTimeout(timer)
      resolve()
    }
    signal.addEventListener('abort', cancel, { once: true })
  })

/** The `next` events of an SSE body with their ids, parsed by eventsource-parser (heartbeat comments skipped). */
async function* events<R>(body: ReadableStream<BufferSource>, signal: AbortSignal): AsyncGenerator<{ id?: string; result: Result<R> }> {
  const reader = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader()
  // Cancelling the parsed stream cancels the body, which closes the connection and so ends the
  // subscription on the server.
  const stop = () => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', stop, { once: true })
  try {
    for (;;) {
      const { value: event, done } = await reader.read()
      if (done || event.event === 'complete') return
      if (event.event === 'next' && event.data) yield { id: event.id, result: JSON.parse(event.data) as Result<R> }
    }
  } finally {
    signal.removeEventListener('abort', stop)
  }
}
